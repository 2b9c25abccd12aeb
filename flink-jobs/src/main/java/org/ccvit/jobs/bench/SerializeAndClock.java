/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.bench;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.accumulators.LongMaximum;
import org.apache.flink.api.common.accumulators.LongMinimum;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.ccvit.schemas.AvroCodec;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.PipelineStage;

/**
 * Encodes each sample to its Avro wire bytes (what a Kafka or network hop would send) and notes, in
 * accumulators, when the first and the last sample passed: the job's steady-state window, without
 * task deployment and state-backend start-up. Times come from {@link System#nanoTime()}, so they
 * compare only within one JVM (a local MiniCluster). Also the metric {@code stageNanos.serialize}.
 */
final class SerializeAndClock extends RichMapFunction<TrainingSample, byte[]> {

  static final String FIRST = "firstSampleNanos";
  static final String LAST = "lastSampleNanos";
  static final String SAMPLES = "samples";
  static final String BYTES = "serializedBytes";
  static final String SERIALIZE_NANOS = "serializeNanos";
  static final String FIRST_CPU = "firstSampleProcessCpuNanos";
  static final String LAST_CPU = "lastSampleProcessCpuNanos";

  private transient AvroCodec<TrainingSample> codec;
  private transient LongMinimum first;
  private transient LongMaximum last;
  private transient LongMinimum firstCpu;
  private transient LongMaximum lastCpu;
  private transient LongCounter samples;
  private transient LongCounter bytes;
  private transient LongCounter serializeNanos;
  private transient Counter serializeMetric;

  @Override
  public void open(OpenContext openContext) {
    codec = new AvroCodec<>(TrainingSample.class);
    first = new LongMinimum();
    last = new LongMaximum();
    samples = new LongCounter();
    bytes = new LongCounter();
    serializeNanos = new LongCounter();
    getRuntimeContext().addAccumulator(FIRST, first);
    getRuntimeContext().addAccumulator(LAST, last);
    firstCpu = new LongMinimum();
    lastCpu = new LongMaximum();
    getRuntimeContext().addAccumulator(FIRST_CPU, firstCpu);
    getRuntimeContext().addAccumulator(LAST_CPU, lastCpu);
    getRuntimeContext().addAccumulator(SAMPLES, samples);
    getRuntimeContext().addAccumulator(BYTES, bytes);
    getRuntimeContext().addAccumulator(SERIALIZE_NANOS, serializeNanos);
    serializeMetric =
        getRuntimeContext()
            .getMetricGroup()
            .addGroup("stageNanos")
            .counter(PipelineStage.SERIALIZE.label());
  }

  @Override
  public byte[] map(TrainingSample sample) {
    firstCpu.add(ProcessCpu.nanos());
    long start = System.nanoTime();
    byte[] encoded = codec.encode(sample);
    long end = System.nanoTime();
    serializeNanos.add(end - start);
    serializeMetric.inc(end - start);
    bytes.add(encoded.length);
    samples.add(1);
    first.add(start);
    last.add(end);
    lastCpu.add(ProcessCpu.nanos());
    return encoded;
  }
}
