/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.flink;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
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
import org.ccvit.schemas.TrainerInput;

/**
 * A Flink sink that trains CCViT on the samples it receives: it forms batches, runs one optimizer
 * step per batch and writes {@code metrics.csv}, {@code trained-keys.csv} and the weights. Its
 * input is {@link TrainerFeed}: the samples, and the codebooks the tokenizers use. Run it with
 * parallelism 1 (one model); the stream in front of it scales out.
 *
 * <p>Exactly-once: at each checkpoint the writer puts the whole trainer state (weights, optimizer
 * state with step and schedule position, codebooks, the unfinished batch) into Flink's state, so
 * every checkpoint and savepoint holds it and Flink alone decides when it is deleted. The weights
 * also go to a pending file, which the committer publishes when the checkpoint completes. A restore
 * resumes from exactly that state, together with the source offsets of the same checkpoint.
 */
public final class TrainerSink
    implements Sink<TrainerInput>,
        SupportsWriterState<TrainerInput, TrainerStatePart>,
        SupportsCommitter<TrainerCommittable>,
        SupportsPreCommitTopology<Long, TrainerCommittable> {

  private final TrainerSinkOptions options;

  public TrainerSink(TrainerSinkOptions options) {
    this.options = options;
  }

  @Override
  public TrainerWriter createWriter(WriterInitContext context) throws IOException {
    TrainerWriter writer = new TrainerWriter(options, context.metricGroup(), List.of());
    writer.boundShuffleWait(context.getProcessingTimeService());
    return writer;
  }

  @Override
  public StatefulSinkWriter<TrainerInput, TrainerStatePart> restoreWriter(
      WriterInitContext context, Collection<TrainerStatePart> parts) throws IOException {
    TrainerWriter writer = new TrainerWriter(options, context.metricGroup(), parts);
    writer.boundShuffleWait(context.getProcessingTimeService());
    return writer;
  }

  @Override
  public SimpleVersionedSerializer<TrainerStatePart> getWriterStateSerializer() {
    return new TrainerStatePart.Serializer();
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
   * The writer offers its step before it learns the checkpoint id (that comes with the snapshot,
   * when it writes the pending weights); the message carries the id, so here the step becomes the
   * committable of that checkpoint.
   */
  @Override
  public DataStream<CommittableMessage<TrainerCommittable>> addPreCommitTopology(
      DataStream<CommittableMessage<Long>> steps) {
    return steps
        .map(new NamePendingWeights(options))
        .returns(CommittableMessageTypeInfo.of(TrainerCommittable.Serializer::new))
        .name("trainer: name pending weights")
        .uid("trainer-name-pending-weights");
  }

  private static final class NamePendingWeights
      implements MapFunction<CommittableMessage<Long>, CommittableMessage<TrainerCommittable>> {
    private final TrainerSinkOptions options;

    NamePendingWeights(TrainerSinkOptions options) {
      this.options = options;
    }

    @Override
    public CommittableMessage<TrainerCommittable> map(CommittableMessage<Long> message) {
      if (message instanceof CommittableWithLineage<Long> c) {
        long id = c.getCheckpointId();
        return c.map(
            step -> new TrainerCommittable(id, step, options.pendingWeights(id).toString()));
      }
      return ((CommittableSummary<Long>) message).map();
    }
  }
}
