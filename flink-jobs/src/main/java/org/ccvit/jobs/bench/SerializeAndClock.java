/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.bench;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.PipelineStage;

/**
 * The Flink side of {@link TimedSerializer}: encodes each sample to Avro and adds its {@link
 * SampleWindow} to the accumulator {@link #WINDOW}. Also the metric {@code stageNanos.serialize}.
 */
final class SerializeAndClock extends RichMapFunction<TrainingSample, byte[]> {

  static final String WINDOW = "sampleWindow";

  private transient TimedSerializer serializer;
  private transient SampleWindowAccumulator window;

  @Override
  public void open(OpenContext openContext) {
    Counter serializeNanos =
        getRuntimeContext()
            .getMetricGroup()
            .addGroup("stageNanos")
            .counter(PipelineStage.SERIALIZE.label());
    serializer = TimedSerializer.system((stage, nanos) -> serializeNanos.inc(nanos));
    window = new SampleWindowAccumulator();
    getRuntimeContext().addAccumulator(WINDOW, window);
  }

  @Override
  public byte[] map(TrainingSample sample) {
    TimedSerializer.Serialized serialized = serializer.serialize(sample);
    window.add(serialized.window());
    return serialized.bytes();
  }
}
