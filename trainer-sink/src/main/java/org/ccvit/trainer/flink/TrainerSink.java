/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.flink;

import java.io.IOException;
import java.util.Collection;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessageTypeInfo;
import org.apache.flink.streaming.api.connector.sink2.CommittableSummary;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.ccvit.schemas.TrainingSample;

/**
 * A Flink sink that trains CCViT on the samples it receives: it forms batches, runs one optimizer
 * step per batch and writes {@code metrics.csv}, {@code trained-keys.csv} and the weights. Run it
 * with parallelism 1 (one model); the stream in front of it scales out.
 *
 * <p>Exactly-once: at each checkpoint the writer saves weights and optimizer state (step and
 * schedule position included) to {@code trainer-state/chk-<id>} and keeps the directory name and
 * the samples of the unfinished batch in Flink state; when the checkpoint completes, the committer
 * publishes those weights and deletes superseded directories. A restore resumes from exactly that
 * state, together with the source offsets of the same checkpoint.
 */
public final class TrainerSink
    implements Sink<TrainingSample>,
        SupportsWriterState<TrainingSample, TrainerWriterState>,
        SupportsCommitter<TrainerCommittable>,
        SupportsPreCommitTopology<Long, TrainerCommittable> {

  private final TrainerSinkOptions options;

  public TrainerSink(TrainerSinkOptions options) {
    this.options = options;
  }

  @Override
  public TrainerWriter createWriter(WriterInitContext context) throws IOException {
    return new TrainerWriter(options, context.metricGroup(), null);
  }

  @Override
  public StatefulSinkWriter<TrainingSample, TrainerWriterState> restoreWriter(
      WriterInitContext context, Collection<TrainerWriterState> states) throws IOException {
    if (states.size() > 1) {
      throw new IllegalStateException(
          "the trainer runs with parallelism 1, but the checkpoint holds "
              + states.size()
              + " trainer states");
    }
    TrainerWriterState state = states.isEmpty() ? null : states.iterator().next();
    return new TrainerWriter(options, context.metricGroup(), state);
  }

  @Override
  public SimpleVersionedSerializer<TrainerWriterState> getWriterStateSerializer() {
    return new TrainerWriterState.Serializer();
  }

  @Override
  public Committer<TrainerCommittable> createCommitter(CommitterInitContext context) {
    return new TrainerCommitter(options);
  }

  @Override
  public SimpleVersionedSerializer<TrainerCommittable> getCommittableSerializer() {
    return new TrainerCommittable.Serializer();
  }

  @Override
  public SimpleVersionedSerializer<Long> getWriteResultSerializer() {
    return new TrainerCommittable.StepSerializer();
  }

  /**
   * The writer offers its step before it learns the checkpoint id (that comes with the snapshot);
   * the message carries the id, so here the step becomes the committable of that checkpoint.
   */
  @Override
  public DataStream<CommittableMessage<TrainerCommittable>> addPreCommitTopology(
      DataStream<CommittableMessage<Long>> steps) {
    return steps
        .map(new NameCheckpointDirectory(options))
        .returns(CommittableMessageTypeInfo.of(TrainerCommittable.Serializer::new))
        .name("trainer: name checkpoint state")
        .uid("trainer-name-checkpoint-state");
  }

  private static final class NameCheckpointDirectory
      implements MapFunction<CommittableMessage<Long>, CommittableMessage<TrainerCommittable>> {
    private final TrainerSinkOptions options;

    NameCheckpointDirectory(TrainerSinkOptions options) {
      this.options = options;
    }

    @Override
    public CommittableMessage<TrainerCommittable> map(CommittableMessage<Long> message) {
      if (message instanceof CommittableWithLineage<Long> c) {
        long id = c.getCheckpointId();
        return c.map(
            step -> new TrainerCommittable(id, step, options.checkpointDir(id).toString()));
      }
      return ((CommittableSummary<Long>) message).map();
    }
  }
}
