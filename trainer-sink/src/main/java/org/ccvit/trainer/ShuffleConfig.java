/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

/**
 * The trainer's shuffle buffer: how many samples it holds, and how long it may hold them back from
 * a slow source. Its draws are seeded by the run seed ({@link TrainConfig#seed()}).
 *
 * @param bufferSize samples held; 0 trains samples in arrival order
 * @param maxWaitMs when the buffer has released nothing for this long, it releases what the
 *     unfinished batch lacks; 0 waits for the buffer to fill however long that takes (a bounded
 *     input still drains at its end)
 */
public record ShuffleConfig(int bufferSize, long maxWaitMs) implements java.io.Serializable {

  /** Arrival order, as without a buffer. */
  public static final ShuffleConfig OFF = new ShuffleConfig(0, 0);

  /** Batches the default buffer holds: each batch is drawn from a window of this many batches. */
  public static final int DEFAULT_BATCHES = 16;

  /** Memory the default buffer may take (its samples' bytes, also written at every checkpoint). */
  public static final long DEFAULT_BUDGET_BYTES = 256L << 20;

  public ShuffleConfig {
    if (bufferSize < 0 || maxWaitMs < 0) {
      throw new IllegalArgumentException(
          "shuffle buffer size and wait must be >= 0, got " + bufferSize + ", " + maxWaitMs);
    }
  }

  /**
   * The default size: {@value #DEFAULT_BATCHES} batches, but no more samples than fit in {@value
   * #DEFAULT_BUDGET_BYTES} bytes, and at least one batch.
   *
   * @param sampleBytes bytes one sample takes (pixels and token ids)
   */
  public static int defaultBufferSize(int batchSize, long sampleBytes) {
    long byBudget = DEFAULT_BUDGET_BYTES / Math.max(1, sampleBytes);
    return (int) Math.max(batchSize, Math.min((long) DEFAULT_BATCHES * batchSize, byBudget));
  }

  /** Bytes of one sample of {@code imageSize} px RGB with {@code patches} 16-bit token ids. */
  public static long sampleBytes(int imageSize, int patches) {
    return 3L * imageSize * imageSize + 2L * patches;
  }
}
