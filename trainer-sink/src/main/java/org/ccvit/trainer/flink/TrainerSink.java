/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.flink;

import java.io.IOException;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.ccvit.schemas.TrainingSample;

/**
 * A Flink sink that trains CCViT on the samples it receives: it forms batches, runs one optimizer
 * step per batch and writes weights and {@code metrics.csv}. Run it with parallelism 1 (one model);
 * the stream in front of it scales out.
 */
public final class TrainerSink implements Sink<TrainingSample> {

  private final TrainerSinkOptions options;

  public TrainerSink(TrainerSinkOptions options) {
    this.options = options;
  }

  @Override
  public SinkWriter<TrainingSample> createWriter(WriterInitContext context) throws IOException {
    return new TrainerWriter(options, context.metricGroup());
  }
}
