/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer;

/** Sums the time of each stage over many samples; thread-safe so several workers can share it. */
public final class StageTimes implements StageTimer {

  private final long[] nanos = new long[PipelineStage.values().length];
  private final long[] counts = new long[PipelineStage.values().length];

  @Override
  public synchronized void record(PipelineStage stage, long elapsedNanos) {
    nanos[stage.ordinal()] += elapsedNanos;
    counts[stage.ordinal()]++;
  }

  /** Mean time of the stage per recorded sample in microseconds; 0 when nothing was recorded. */
  public synchronized double meanMicros(PipelineStage stage) {
    long n = counts[stage.ordinal()];
    return n == 0 ? 0 : nanos[stage.ordinal()] / 1e3 / n;
  }
}
