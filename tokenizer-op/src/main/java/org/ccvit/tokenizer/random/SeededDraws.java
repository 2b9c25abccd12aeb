/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.random;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Uniform draws addressed by (seed, draw number) instead of a generator's hidden state: the whole
 * state of a sequence of draws is how many were made, so a checkpoint holds it as one number and a
 * restore continues with exactly the draws an uninterrupted run makes. Each draw seeds a {@link
 * SplittableRandom} (algorithm fixed by its specification) with a 64-bit mix of both numbers.
 */
public final class SeededDraws {

  private SeededDraws() {}

  /** Draw number {@code draw} of the sequence {@code seed}: uniform in [0, bound). */
  public static int uniform(long seed, long draw, int bound) {
    return new SplittableRandom(mix(seed, draw)).nextInt(bound);
  }

  /** A seed for sub-sequence {@code index} of {@code seed} (e.g. one pass of an input). */
  public static long derive(long seed, long index) {
    return mix(seed, index) ^ 0x5DEECE66DL;
  }

  /** Fisher-Yates shuffle of {@code list} in place, with the draws of sequence {@code seed}. */
  public static <T> void shuffle(List<T> list, long seed) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = uniform(seed, i, i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }

  /** The counter mixed into a mix of the seed: nearby inputs give unrelated outputs. */
  private static long mix(long seed, long counter) {
    return stafford13(stafford13(seed + 0x9E3779B97F4A7C15L) + counter * 0x9E3779B97F4A7C15L);
  }

  private static long stafford13(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
