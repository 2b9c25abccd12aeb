/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.kmeans;

/**
 * The 32-bit Mersenne Twister (MT19937) as C++'s {@code std::mt19937}, used the way faiss 1.7.3's
 * {@code RandomGenerator} uses it, so that seeded choices (initial centroids, subsampling) pick the
 * same points as faiss does for the same seed.
 */
final class Mt19937 {
  private static final int N = 624;
  private static final int M = 397;
  private final int[] state = new int[N];
  private int next = N;

  /** Seeds like {@code std::mt19937((unsigned int) seed)}: only the low 32 bits count. */
  Mt19937(long seed) {
    state[0] = (int) seed;
    for (int i = 1; i < N; i++) {
      state[i] = 1812433253 * (state[i - 1] ^ (state[i - 1] >>> 30)) + i;
    }
  }

  /** The next raw 32-bit output, as an unsigned value. */
  long nextUnsigned() {
    if (next >= N) {
      regenerate();
    }
    int y = state[next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y & 0xffffffffL;
  }

  /** A value in [0, max) as faiss 1.7.3's {@code rand_int(max)}: the raw output modulo max. */
  int nextInt(int max) {
    return (int) (nextUnsigned() % max);
  }

  private void regenerate() {
    for (int i = 0; i < N; i++) {
      int y = (state[i] & 0x80000000) | (state[(i + 1) % N] & 0x7fffffff);
      int mixed = state[(i + M) % N] ^ (y >>> 1);
      state[i] = (y & 1) != 0 ? mixed ^ 0x9908b0df : mixed;
    }
    next = 0;
  }
}
