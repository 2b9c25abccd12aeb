/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.linalg;

import java.util.SplittableRandom;

/**
 * An orthonormal basis of the leading principal subspace of a point set, found by subspace (block
 * power) iteration on the covariance of a sample. Used for the lower bound |x-c|^2 >= |P(x-c)|^2 +
 * (|x_perp| - |c_perp|)^2, which holds for any orthonormal P; the closer P is to the principal
 * subspace, the tighter the bound, so a few iterations suffice.
 */
public final class PrincipalSubspace {
  private static final int MAX_SAMPLE = 4096;
  private static final int SAMPLE_CHUNK = 256;
  private static final int POWER_ITERATIONS = 12;

  /** Fixed seed of the start basis: it affects only how tight the bound is, never a result. */
  private static final long START_SEED = 0x5eed;

  private final int dim;
  private final int rank;
  private final CentroidPanels basisPanels;

  private PrincipalSubspace(float[] basis, int rank, int dim) {
    this.dim = dim;
    this.rank = rank;
    this.basisPanels = new CentroidPanels(basis, rank, dim);
  }

  /** The leading {@code rank} directions of the points (rank is capped at dim). */
  public static PrincipalSubspace of(float[] points, int n, int dim, int rank) {
    int r = Math.min(rank, dim);
    float[] covariance = sampleCovariance(points, n, dim);
    double[] basis = new double[r * dim];
    SplittableRandom random = new SplittableRandom(START_SEED);
    for (int i = 0; i < basis.length; i++) {
      basis[i] = random.nextDouble() - 0.5;
    }
    orthonormalize(basis, r, dim);
    // C is symmetric, so the kernel's rows(basis) . rows(C) is (C basis^T)^T.
    CentroidPanels covariancePanels = new CentroidPanels(covariance, dim, dim);
    int paddedRank = (r + CentroidPanels.ROWS - 1) / CentroidPanels.ROWS * CentroidPanels.ROWS;
    float[] block = new float[paddedRank * dim];
    float[] product = new float[paddedRank * covariancePanels.paddedK()];
    for (int it = 0; it < POWER_ITERATIONS; it++) {
      for (int i = 0; i < r * dim; i++) {
        block[i] = (float) basis[i];
      }
      covariancePanels.dots(block, 0, paddedRank, product);
      for (int v = 0; v < r; v++) {
        for (int a = 0; a < dim; a++) {
          basis[v * dim + a] = product[v * covariancePanels.paddedK() + a];
        }
      }
      orthonormalize(basis, r, dim);
    }
    float[] rows = new float[r * dim];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = (float) basis[i];
    }
    return new PrincipalSubspace(rows, r, dim);
  }

  public int rank() {
    return rank;
  }

  /** Row stride of {@link #coordinates}: the rank rounded up to the kernel's panel width. */
  public int coordinateStride() {
    return basisPanels.paddedK();
  }

  /**
   * out[r * coordinateStride() + j] = coordinate j of row r, for the {@code rows} rows starting at
   * {@code offset}; rows must be a multiple of {@link CentroidPanels#ROWS}.
   */
  public void coordinates(float[] values, int offset, int rows, float[] out) {
    basisPanels.dots(values, offset, rows, out);
  }

  /** Coordinates of the rows in this basis, row-major [n, rank]. */
  public float[] project(float[] rows, int n) {
    int stride = basisPanels.paddedK();
    int block = 64;
    float[] buffer = new float[block * dim];
    float[] dots = new float[block * stride];
    float[] out = new float[n * rank];
    for (int from = 0; from < n; from += block) {
      int count = Math.min(block, n - from);
      int padded = (count + CentroidPanels.ROWS - 1) / CentroidPanels.ROWS * CentroidPanels.ROWS;
      System.arraycopy(rows, from * dim, buffer, 0, count * dim);
      java.util.Arrays.fill(buffer, count * dim, padded * dim, 0f);
      basisPanels.dots(buffer, 0, padded, dots);
      for (int r = 0; r < count; r++) {
        System.arraycopy(dots, r * stride, out, (from + r) * rank, rank);
      }
    }
    return out;
  }

  /** Covariance of an evenly strided sample, via the float kernel on the transposed sample. */
  private static float[] sampleCovariance(float[] points, int n, int dim) {
    int s = Math.max(1, Math.min(n, MAX_SAMPLE));
    double[] mean = new double[dim];
    for (int i = 0; i < s; i++) {
      int row = (int) ((long) i * n / s);
      for (int d = 0; d < dim; d++) {
        mean[d] += points[row * dim + d];
      }
    }
    for (int d = 0; d < dim; d++) {
      mean[d] /= s;
    }
    // In chunks of samples: each kernel call then runs a short loop. One long-running call would
    // be compiled on-stack-replaced, and that left the kernel's later, regular C2 code with its
    // vector stores not intrinsified (4x slower for the search that runs after this).
    int paddedDims = (dim + CentroidPanels.ROWS - 1) / CentroidPanels.ROWS * CentroidPanels.ROWS;
    double[] sums = new double[dim * dim];
    for (int from = 0; from < s; from += SAMPLE_CHUNK) {
      int count = Math.min(SAMPLE_CHUNK, s - from);
      float[] transposed = new float[paddedDims * count];
      for (int i = 0; i < count; i++) {
        int row = (int) ((long) (from + i) * n / s);
        for (int d = 0; d < dim; d++) {
          transposed[d * count + i] = (float) (points[row * dim + d] - mean[d]);
        }
      }
      CentroidPanels panels = new CentroidPanels(transposed, dim, count);
      float[] dots = new float[paddedDims * panels.paddedK()];
      panels.dots(transposed, 0, paddedDims, dots);
      for (int a = 0; a < dim; a++) {
        for (int b = 0; b < dim; b++) {
          sums[a * dim + b] += dots[a * panels.paddedK() + b];
        }
      }
    }
    float[] covariance = new float[dim * dim];
    for (int i = 0; i < covariance.length; i++) {
      covariance[i] = (float) (sums[i] / s);
    }
    return covariance;
  }

  /** Modified Gram-Schmidt, twice for float-level orthogonality; degenerate rows get e_i. */
  private static void orthonormalize(double[] basis, int rank, int dim) {
    int nextUnitVector = 0;
    for (int pass = 0; pass < 2; pass++) {
      for (int v = 0; v < rank; v++) {
        double norm = removeEarlierDirections(basis, v, dim);
        while (norm < 1e-9) {
          // No variance left in this direction: any unit vector outside the span will do.
          java.util.Arrays.fill(basis, v * dim, (v + 1) * dim, 0);
          basis[v * dim + nextUnitVector++ % dim] = 1;
          norm = removeEarlierDirections(basis, v, dim);
        }
        for (int d = 0; d < dim; d++) {
          basis[v * dim + d] /= norm;
        }
      }
    }
  }

  /** Makes row v orthogonal to rows 0..v-1 and returns its remaining norm. */
  private static double removeEarlierDirections(double[] basis, int v, int dim) {
    for (int u = 0; u < v; u++) {
      double dot = 0;
      for (int d = 0; d < dim; d++) {
        dot += basis[v * dim + d] * basis[u * dim + d];
      }
      for (int d = 0; d < dim; d++) {
        basis[v * dim + d] -= dot * basis[u * dim + d];
      }
    }
    double norm = 0;
    for (int d = 0; d < dim; d++) {
      norm += basis[v * dim + d] * basis[v * dim + d];
    }
    return Math.sqrt(norm);
  }
}
