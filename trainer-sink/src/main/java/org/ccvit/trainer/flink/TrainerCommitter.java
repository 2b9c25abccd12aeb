/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.flink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.connector.sink2.Committer;
import org.ccvit.trainer.Trainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the trainer state of a completed checkpoint: its weights become the output's {@value
 * TrainerSinkOptions#WEIGHTS_FILE}, its directory is marked {@value #COMMITTED}, and the state
 * directories of older checkpoints (now superseded) are deleted, except those marked {@value
 * #RETAINED} because a job was restored from them (they may belong to a savepoint). Idempotent: a
 * commit repeated after a restore finds the same files, or none if a later commit cleaned them.
 */
final class TrainerCommitter implements Committer<TrainerCommittable> {

  static final String COMMITTED = "_COMMITTED";
  static final String RETAINED = "_RETAINED";

  private static final Logger LOG = LoggerFactory.getLogger(TrainerCommitter.class);

  private final TrainerSinkOptions options;

  TrainerCommitter(TrainerSinkOptions options) {
    this.options = options;
  }

  @Override
  public void commit(Collection<CommitRequest<TrainerCommittable>> requests) throws IOException {
    for (CommitRequest<TrainerCommittable> request : requests) {
      TrainerCommittable c = request.getCommittable();
      Path dir = Path.of(c.stateDir());
      if (!Files.isDirectory(dir)) {
        request.signalAlreadyCommitted();
        continue;
      }
      Path weights = options.output(TrainerSinkOptions.WEIGHTS_FILE);
      Path tmp = Files.createTempFile(weights.toAbsolutePath().getParent(), "weights", ".tmp");
      Files.copy(dir.resolve(Trainer.WEIGHTS_FILE), tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, weights, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Files.writeString(
          dir.resolve(COMMITTED), "checkpoint " + c.checkpointId() + ", step " + c.step());
      deleteSuperseded(dir.getParent(), c.checkpointId());
      LOG.info("committed trainer state of checkpoint {} (step {})", c.checkpointId(), c.step());
    }
  }

  private static void deleteSuperseded(Path root, long committedId) throws IOException {
    List<Path> older;
    try (Stream<Path> dirs = Files.list(root)) {
      older =
          dirs.filter(d -> checkpointId(d) >= 0 && checkpointId(d) < committedId)
              .filter(d -> !Files.exists(d.resolve(RETAINED)))
              .toList();
    }
    for (Path dir : older) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** The id in a {@code chk-<id>} directory name, or -1 for anything else. */
  private static long checkpointId(Path dir) {
    String name = dir.getFileName().toString();
    if (!name.startsWith("chk-")) {
      return -1;
    }
    try {
      return Long.parseLong(name.substring(4));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void close() {}
}
