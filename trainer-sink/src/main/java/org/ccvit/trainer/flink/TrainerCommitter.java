/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.flink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import org.apache.flink.api.connector.sink2.Committer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the weights of a completed checkpoint as the output's {@value
 * TrainerSinkOptions#WEIGHTS_FILE}, unless newer weights are published already, and deletes the
 * pending weights left by checkpoints before it that failed. The trainer's state itself lives in
 * Flink's checkpoints and savepoints, so nothing here can take a savepoint's state away.
 * Idempotent: a commit repeated after a restore finds its pending file gone and does nothing.
 */
final class TrainerCommitter implements Committer<TrainerCommittable> {

  private static final Logger LOG = LoggerFactory.getLogger(TrainerCommitter.class);

  private final PublishedWeights published;

  TrainerCommitter(TrainerSinkOptions options) {
    this.published = new PublishedWeights(options);
  }

  @Override
  public void commit(Collection<CommitRequest<TrainerCommittable>> requests) throws IOException {
    for (CommitRequest<TrainerCommittable> request : requests) {
      TrainerCommittable c = request.getCommittable();
      Path pending = Path.of(c.pendingWeights());
      if (!Files.exists(pending)) {
        request.signalAlreadyCommitted();
        continue;
      }
      if (published.publishIfNewer(pending, c.step())) {
        LOG.info("published the weights of checkpoint {} (step {})", c.checkpointId(), c.step());
      } else {
        LOG.info(
            "checkpoint {} completed with step {}, not newer than the published weights",
            c.checkpointId(),
            c.step());
      }
      published.deletePendingBefore(c.checkpointId());
    }
  }

  @Override
  public void close() {}
}
