/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.bench;

import java.io.Serializable;

/**
 * The timed window of a pipeline benchmark run, the same for the plain loop and the Flink job: from
 * the start of the first sample's serialization to the end of the last's, over all workers, with
 * the process CPU time at both ends. Whatever a worker does before its first sample is ready
 * (starting up, preparing the codebook's search index) lies outside it on both sides.
 *
 * <p>Windows merge like Flink's min/max accumulators, so one per sample, per worker or per run
 * combine into the run's.
 */
public record SampleWindow(
    long samples,
    long bytes,
    long firstStartNanos,
    long lastEndNanos,
    long firstCpuNanos,
    long lastCpuNanos)
    implements Serializable {

  public static final SampleWindow EMPTY =
      new SampleWindow(0, 0, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE);

  /** One sample serialized from {@code start} to {@code end} into {@code bytes} bytes. */
  public static SampleWindow ofSample(
      long startNanos, long endNanos, long cpuBeforeNanos, long cpuAfterNanos, long bytes) {
    return new SampleWindow(1, bytes, startNanos, endNanos, cpuBeforeNanos, cpuAfterNanos);
  }

  public SampleWindow merge(SampleWindow other) {
    return new SampleWindow(
        samples + other.samples,
        bytes + other.bytes,
        Math.min(firstStartNanos, other.firstStartNanos),
        Math.max(lastEndNanos, other.lastEndNanos),
        Math.min(firstCpuNanos, other.firstCpuNanos),
        Math.max(lastCpuNanos, other.lastCpuNanos));
  }

  /**
   * Wall seconds for all samples. The window misses each of the {@code workers}' first sample up to
   * its serialization, so it holds the work of samples - workers samples: scaled back to all.
   */
  public double seconds(int workers) {
    return (lastEndNanos - firstStartNanos) / 1e9 * fullRunScale(workers);
  }

  /** Process CPU seconds (every thread) for all samples, scaled as {@link #seconds(int)}. */
  public double cpuSeconds(int workers) {
    return (lastCpuNanos - firstCpuNanos) / 1e9 * fullRunScale(workers);
  }

  public double bytesPerSample() {
    return bytes / (double) samples;
  }

  private double fullRunScale(int workers) {
    if (samples <= workers) {
      throw new IllegalStateException(
          samples
              + " samples on "
              + workers
              + " workers: a window needs more samples than workers");
    }
    return samples / (double) (samples - workers);
  }
}
