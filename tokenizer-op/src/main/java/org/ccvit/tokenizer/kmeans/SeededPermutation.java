/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.kmeans;

/** Random permutations drawn exactly as faiss's {@code rand_perm} (Fisher-Yates on MT19937). */
public final class SeededPermutation {
  private SeededPermutation() {}

  /**
   * The first {@code count} entries of faiss's {@code rand_perm(n, seed)}: {@code count} distinct
   * indices in [0, n). Only the first {@code count} swaps are needed, since later swaps never touch
   * earlier positions.
   */
  public static int[] prefix(int n, int count, long seed) {
    if (count < 0 || count > n) {
      throw new IllegalArgumentException(
          "permutation prefix length " + count + " must be in [0, n=" + n + "]");
    }
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    Mt19937 rng = new Mt19937(seed);
    int steps = Math.min(count, n - 1);
    for (int i = 0; i < steps; i++) {
      int j = i + rng.nextInt(n - i);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    return java.util.Arrays.copyOf(perm, count);
  }
}
