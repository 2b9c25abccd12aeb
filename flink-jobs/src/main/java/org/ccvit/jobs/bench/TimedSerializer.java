/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.bench;

import java.util.function.LongSupplier;
import org.ccvit.schemas.AvroCodec;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.PipelineStage;
import org.ccvit.tokenizer.StageTimer;

/**
 * Encodes a sample to its Avro wire bytes (what a Kafka or network hop would send) and marks when
 * that happened: the one place where both benchmark runs take their {@link SampleWindow}. The
 * clocks are injectable; {@link #system} uses {@link System#nanoTime()}, which compares only within
 * one JVM (a local MiniCluster is one). Not thread-safe: one per worker.
 */
final class TimedSerializer {

  /** A sample's bytes and its window of one. */
  record Serialized(byte[] bytes, SampleWindow window) {}

  private final AvroCodec<TrainingSample> codec = new AvroCodec<>(TrainingSample.class);
  private final LongSupplier wallNanos;
  private final LongSupplier processCpuNanos;
  private final StageTimer stages;

  TimedSerializer(LongSupplier wallNanos, LongSupplier processCpuNanos, StageTimer stages) {
    this.wallNanos = wallNanos;
    this.processCpuNanos = processCpuNanos;
    this.stages = stages;
  }

  /** With the JVM's clocks; the serialize time of each sample goes to {@code stages}. */
  static TimedSerializer system(StageTimer stages) {
    return new TimedSerializer(System::nanoTime, ProcessCpu::nanos, stages);
  }

  Serialized serialize(TrainingSample sample) {
    long cpuBefore = processCpuNanos.getAsLong();
    long start = wallNanos.getAsLong();
    byte[] bytes = codec.encode(sample);
    long end = wallNanos.getAsLong();
    stages.record(PipelineStage.SERIALIZE, end - start);
    long cpuAfter = processCpuNanos.getAsLong();
    return new Serialized(
        bytes, SampleWindow.ofSample(start, end, cpuBefore, cpuAfter, bytes.length));
  }
}
