/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.masking;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Which patch positions of one sample are masked (their embedding becomes the mask token) and which
 * are replaced (their pixels become their token's centroid). Both sorted ascending and disjoint;
 * the loss covers both. The arrays are not copied: do not modify them.
 */
public record CorruptionPlan(int[] masked, int[] replaced) {
  public CorruptionPlan {
    checkSorted(masked, "masked");
    checkSorted(replaced, "replaced");
    int i = 0;
    for (int r : replaced) {
      while (i < masked.length && masked[i] < r) {
        i++;
      }
      if (i < masked.length && masked[i] == r) {
        throw new IllegalArgumentException("position " + r + " is both masked and replaced");
      }
    }
  }

  /** The original number of replaced patches (20 of 14x14), scaled down for other grids. */
  public static int originalReplacedCount(int grid) {
    return 20 * grid * grid / 196;
  }

  /**
   * Draws a mask, then {@code numReplaced} positions uniformly among the unmasked ones (the first
   * of a shuffle, as the original does).
   */
  public static CorruptionPlan draw(
      BlockMaskGenerator generator,
      int numReplaced,
      SplittableRandom maskRng,
      SplittableRandom replaceRng) {
    boolean[] mask = generator.generate(maskRng);
    int[] masked = new int[generator.numMasked()];
    int[] unmasked = new int[mask.length - masked.length];
    int m = 0;
    int u = 0;
    for (int i = 0; i < mask.length; i++) {
      if (mask[i]) {
        masked[m++] = i;
      } else {
        unmasked[u++] = i;
      }
    }
    if (numReplaced < 0 || numReplaced > unmasked.length) {
      throw new IllegalArgumentException(
          "numReplaced "
              + numReplaced
              + " must be in [0, "
              + unmasked.length
              + "], the number of unmasked positions");
    }
    for (int i = 0; i < numReplaced; i++) {
      int j = i + replaceRng.nextInt(unmasked.length - i);
      int swap = unmasked[j];
      unmasked[j] = unmasked[i];
      unmasked[i] = swap;
    }
    int[] replaced = Arrays.copyOf(unmasked, numReplaced);
    Arrays.sort(replaced);
    return new CorruptionPlan(masked, replaced);
  }

  /** Equal when both position lists are equal (records compare arrays by identity). */
  @Override
  public boolean equals(Object other) {
    return other instanceof CorruptionPlan p
        && Arrays.equals(masked, p.masked)
        && Arrays.equals(replaced, p.replaced);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(masked) + Arrays.hashCode(replaced);
  }

  @Override
  public String toString() {
    return "CorruptionPlan[masked="
        + Arrays.toString(masked)
        + ", replaced="
        + Arrays.toString(replaced)
        + "]";
  }

  private static void checkSorted(int[] positions, String name) {
    for (int i = 1; i < positions.length; i++) {
      if (positions[i] <= positions[i - 1]) {
        throw new IllegalArgumentException(
            name + " positions must be strictly ascending: " + Arrays.toString(positions));
      }
    }
    if (positions.length > 0 && positions[0] < 0) {
      throw new IllegalArgumentException(name + " positions must be >= 0");
    }
  }
}
