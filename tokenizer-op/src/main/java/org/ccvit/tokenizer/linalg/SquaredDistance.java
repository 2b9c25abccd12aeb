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
    // Four accumulators: independent FMA chains instead of one latency-bound chain. The
    // differences are written out: a helper returning a vector, when C2 (JDK 17) did not inline
    // it, boxed every vector (perf showed it as its own hot method).
    FloatVector acc0 = FloatVector.zero(SPECIES);
    FloatVector acc1 = acc0;
    FloatVector acc2 = acc0;
    FloatVector acc3 = acc0;
    int i = 0;
    for (int bound = length - 4 * LANES; i <= bound; i += 4 * LANES) {
      FloatVector d0 =
          FloatVector.fromArray(SPECIES, a, aOffset + i)
              .sub(FloatVector.fromArray(SPECIES, b, bOffset + i));
      FloatVector d1 =
          FloatVector.fromArray(SPECIES, a, aOffset + i + LANES)
              .sub(FloatVector.fromArray(SPECIES, b, bOffset + i + LANES));
      FloatVector d2 =
          FloatVector.fromArray(SPECIES, a, aOffset + i + 2 * LANES)
              .sub(FloatVector.fromArray(SPECIES, b, bOffset + i + 2 * LANES));
      FloatVector d3 =
          FloatVector.fromArray(SPECIES, a, aOffset + i + 3 * LANES)
              .sub(FloatVector.fromArray(SPECIES, b, bOffset + i + 3 * LANES));
      acc0 = d0.fma(d0, acc0);
      acc1 = d1.fma(d1, acc1);
      acc2 = d2.fma(d2, acc2);
      acc3 = d3.fma(d3, acc3);
    }
    for (int bound = SPECIES.loopBound(length); i < bound; i += LANES) {
      FloatVector d0 =
          FloatVector.fromArray(SPECIES, a, aOffset + i)
              .sub(FloatVector.fromArray(SPECIES, b, bOffset + i));
      acc0 = d0.fma(d0, acc0);
    }
    float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    for (; i < length; i++) {
      float e = a[aOffset + i] - b[bOffset + i];
      sum = Math.fma(e, e, sum);
    }
    return sum;
  }

  /**
   * A bound on |fast - exact| / exact. Each term carries at most 3 roundings (difference, square,
   * add) and each term passes through at most length/LANES accumulator additions, 2 additions
   * joining the accumulators, log2(LANES) reduction steps and LANES tail additions: gamma_m with m
   * that many steps, doubled for safety.
   */
  public static double fastRelativeError(int length) {
    int steps = length / LANES + 2 + Integer.numberOfTrailingZeros(LANES) + LANES + 3;
    double nu = steps * FLOAT_UNIT_ROUNDOFF;
    return 2 * nu / (1 - nu);
  }
}
