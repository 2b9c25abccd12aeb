/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.linalg;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Squared Euclidean distances between float rows. {@link #reference} defines every exact search's
 * result (float64, summed in index order, so all searches agree to the bit); {@link #fast} is its
 * SIMD float32 estimate, with a proven relative error bound {@link #fastRelativeError}.
 */
public final class SquaredDistance {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();
  private static final double FLOAT_UNIT_ROUNDOFF = 0x1p-24;

  private SquaredDistance() {}

  /** The reference: float64 differences, squared and summed in index order. */
  public static double reference(float[] a, int aOffset, float[] b, int bOffset, int length) {
    double sum = 0;
    for (int i = 0; i < length; i++) {
      double d = (double) a[aOffset + i] - b[bOffset + i];
      sum += d * d;
    }
    return sum;
  }

  /** Squared norm in float64, summed in index order. */
  public static double squaredNorm(float[] a, int offset, int length) {
    double sum = 0;
    for (int i = 0; i < length; i++) {
      double v = a[offset + i];
      sum += v * v;
    }
    return sum;
  }

  /**
   * The squared distance in float32 SIMD, summed directly (no cancellation, unlike the GEMM form
   * |a|^2 + |b|^2 - 2 a.b), within {@link #fastRelativeError} of the exact value.
   */
  public static float fast(float[] a, int aOffset, float[] b, int bOffset, int length) {
    FloatVector acc = FloatVector.zero(SPECIES);
    int i = 0;
    for (int bound = SPECIES.loopBound(length); i < bound; i += LANES) {
      FloatVector diff =
          FloatVector.fromArray(SPECIES, a, aOffset + i)
              .sub(FloatVector.fromArray(SPECIES, b, bOffset + i));
      acc = diff.fma(diff, acc);
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < length; i++) {
      float e = a[aOffset + i] - b[bOffset + i];
      sum = Math.fma(e, e, sum);
    }
    return sum;
  }

  /**
   * A bound on |fast - exact| / exact. Each term carries at most 3 roundings (difference, square,
   * add) and each sum passes through at most length/LANES lane additions, log2(LANES) reduction
   * steps and LANES tail additions: gamma_m with m that many steps, doubled for safety.
   */
  public static double fastRelativeError(int length) {
    int steps = length / LANES + Integer.numberOfTrailingZeros(LANES) + LANES + 3;
    double nu = steps * FLOAT_UNIT_ROUNDOFF;
    return 2 * nu / (1 - nu);
  }
}
