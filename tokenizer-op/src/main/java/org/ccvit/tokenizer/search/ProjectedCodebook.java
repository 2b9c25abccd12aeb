/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.search;

import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.linalg.CentroidPanels;
import org.ccvit.tokenizer.linalg.PrincipalSubspace;
import org.ccvit.tokenizer.linalg.SquaredDistance;

/**
 * A codebook prepared once for {@link PrunedExactSearch}: the centroids centred on their mean and
 * projected onto their leading principal subspace, with everything the lower bound needs per
 * centroid. Immutable and thread-safe: build one per codebook and share it between the searches of
 * all threads.
 *
 * <p>The bound (see {@link PrunedExactSearch}) is used at two ranks: a coarse prefix of the basis
 * for a GEMM against all centroids, and the full fine rank for the survivors. Every per-centroid
 * quantity is stored with the rigorous error allowance of its float computation, so the bounds stay
 * valid lower bounds.
 */
public final class ProjectedCodebook {
  // Measured on Imagenette patches, K=8192 of real patches: coarse 48 / fine 128 keeps ~40
  // centroids after the GEMM stage and ~4.4 full distances per patch (16/64: ~200 and ~10; 32/128:
  // ~74 and ~4.5), and was the fastest of 16..64 / 64..256.
  static final int FINE_RANK = 128;
  static final int COARSE_RANK = 48;

  /** Squared norms above this fall back to the float64 reference (float32 could overflow). */
  static final double SAFE_SQUARED_NORM = 1e18;

  static final double UNIT_ROUNDOFF = 0x1p-24;

  final Codebook codebook;
  final int k;
  final int dim;
  final float[] centroids;
  final float[] mean;
  final PrincipalSubspace subspace;
  final int fineRank;
  final int coarseRank;

  /** Error of a projected vector per unit of its centred norm, at each rank. */
  final double fineProjectionError;

  final double coarseProjectionError;

  /** The GEMM-form error of a coarse squared distance relative to the sum of squared norms. */
  final double coarseGemmError;

  /**
   * Per centroid, in one row for one cache-friendly read: the fine coordinates of the centred
   * centroid, then its fine projection allowance and residual interval (low, high).
   */
  final float[] fineRows;

  final int fineRowLength;

  /** The coarse coordinates of the centroids as GEMM panels. */
  final CentroidPanels coarsePanels;

  /** |coarse coordinates|^2 (1 - coarseGemmError), rounded down. */
  final float[] coarseNormsLow;

  final Tolerances coarse;

  /** The largest coarse projection allowance of any centroid. */
  final float largestCoarseProjectionError;

  /**
   * False when a centroid is too large for the float32 bounds; then every search is brute force.
   */
  final boolean boundsSafe;

  /** Per-centroid error allowances at one rank (see {@link PrunedExactSearch}). */
  static final class Tolerances {
    /** Upper bound of | |P c| computed - |P0 c| exactly |. */
    final float[] projectionError;

    /** Interval of the norm of the residual orthogonal to the subspace. */
    final float[] residualLow;

    final float[] residualHigh;

    Tolerances(int k) {
      projectionError = new float[k];
      residualLow = new float[k];
      residualHigh = new float[k];
    }
  }

  private ProjectedCodebook(Codebook codebook) {
    this.codebook = codebook;
    this.k = codebook.k();
    this.dim = codebook.dim();
    this.centroids = codebook.centroids();
    this.mean = new float[dim];
    double[] sums = new double[dim];
    for (int c = 0; c < k; c++) {
      for (int d = 0; d < dim; d++) {
        sums[d] += centroids[c * dim + d];
      }
    }
    for (int d = 0; d < dim; d++) {
      mean[d] = (float) (sums[d] / k);
    }
    float[] centred = new float[k * dim];
    double maxSquaredNorm = 0;
    for (int c = 0; c < k; c++) {
      maxSquaredNorm =
          Math.max(maxSquaredNorm, centre(centroids, c * dim, mean, centred, c * dim, dim));
    }
    this.boundsSafe = maxSquaredNorm < SAFE_SQUARED_NORM;
    this.subspace = PrincipalSubspace.of(centred, k, dim, FINE_RANK);
    this.fineRank = subspace.rank();
    this.coarseRank = Math.min(COARSE_RANK, fineRank);
    this.fineProjectionError = projectionError(fineRank, dim);
    this.coarseProjectionError = projectionError(coarseRank, dim);
    this.coarseGemmError = 2 * (coarseRank + 10) * UNIT_ROUNDOFF;
    float[] fineCoordinates = subspace.project(centred, k);
    this.fineRowLength = fineRank + 3;
    this.fineRows = new float[k * fineRowLength];
    float[] coarseCoordinates = new float[k * coarseRank];
    for (int c = 0; c < k; c++) {
      System.arraycopy(
          fineCoordinates, c * fineRank, coarseCoordinates, c * coarseRank, coarseRank);
    }
    this.coarsePanels = new CentroidPanels(coarseCoordinates, k, coarseRank);
    this.coarseNormsLow = new float[k];
    this.coarse = new Tolerances(k);
    Tolerances fine = new Tolerances(k);
    for (int c = 0; c < k; c++) {
      double norm = Math.sqrt(SquaredDistance.squaredNorm(centred, c * dim, dim));
      double coarseNorm =
          Math.sqrt(SquaredDistance.squaredNorm(fineCoordinates, c * fineRank, coarseRank));
      double fineNorm =
          Math.sqrt(SquaredDistance.squaredNorm(fineCoordinates, c * fineRank, fineRank));
      coarseNormsLow[c] = roundDown(coarseNorm * coarseNorm * (1 - coarseGemmError));
      fill(coarse, c, norm, coarseNorm, coarseProjectionError);
      fill(fine, c, norm, fineNorm, fineProjectionError);
      int row = c * fineRowLength;
      System.arraycopy(fineCoordinates, c * fineRank, fineRows, row, fineRank);
      fineRows[row + fineRank] = fine.projectionError[c];
      fineRows[row + fineRank + 1] = fine.residualLow[c];
      fineRows[row + fineRank + 2] = fine.residualHigh[c];
    }
    float largest = 0;
    for (int c = 0; c < k; c++) {
      largest = Math.max(largest, coarse.projectionError[c]);
    }
    this.largestCoarseProjectionError = largest;
  }

  /** Prepares a codebook (a PCA of its centroids: a fraction of a second for K=8192, D=768). */
  public static ProjectedCodebook of(Codebook codebook) {
    return new ProjectedCodebook(codebook);
  }

  public Codebook codebook() {
    return codebook;
  }

  /**
   * Bound on | |P y| computed - |P0 y| | per unit |y| for a float32 projection of a centred float32
   * vector y onto {@code rank} float32 basis rows of length dim, where P0 is the exactly
   * orthonormal basis the float rows round from: per coordinate, the dot product error gamma_dim
   * plus the rounding of the basis (u) and of the centring (u); over the rank coordinates,
   * sqrt(rank) times that.
   */
  private static double projectionError(int rank, int dim) {
    double nu = (dim + 2) * UNIT_ROUNDOFF;
    double gamma = nu / (1 - nu);
    return (Math.sqrt(rank) * (gamma + 2 * UNIT_ROUNDOFF) + 2 * UNIT_ROUNDOFF) * 1.01;
  }

  /**
   * Sets the allowance and residual interval of one centred vector: norm |y| (float64), projected
   * norm a (from float coordinates) within e = error * |y| of the exact one, so the residual norm
   * sqrt(|y|^2 - |P0 y|^2) lies in [sqrt(|y|^2 - (a+e)^2), sqrt(|y|^2 - (a-e)^2)].
   */
  static void fill(Tolerances t, int c, double norm, double projectedNorm, double error) {
    double e = error * norm;
    t.projectionError[c] = roundUp(e);
    t.residualLow[c] = roundDown(residual(norm * (1 - 4 * UNIT_ROUNDOFF), projectedNorm + e));
    t.residualHigh[c] =
        roundUp(residual(norm * (1 + 4 * UNIT_ROUNDOFF), Math.max(0, projectedNorm - e)));
  }

  private static double residual(double norm, double projectedNorm) {
    return Math.sqrt(Math.max(0, norm * norm - projectedNorm * projectedNorm));
  }

  static float roundDown(double v) {
    return (float) (v * (1 - 1e-6));
  }

  static float roundUp(double v) {
    return (float) (v * (1 + 1e-6) + Float.MIN_NORMAL);
  }

  /**
   * out[o..o+dim) = v - mean in float32; returns the float64 squared norm of the result, summed in
   * four interleaved parts (one chain of 768 dependent additions took a microsecond per patch; the
   * order changes the sum only far below the 4u the bounds allow for it).
   */
  static double centre(float[] v, int offset, float[] mean, float[] out, int o, int dim) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int d = 0;
    for (; d + 3 < dim; d += 4) {
      float y0 = v[offset + d] - mean[d];
      float y1 = v[offset + d + 1] - mean[d + 1];
      float y2 = v[offset + d + 2] - mean[d + 2];
      float y3 = v[offset + d + 3] - mean[d + 3];
      out[o + d] = y0;
      out[o + d + 1] = y1;
      out[o + d + 2] = y2;
      out[o + d + 3] = y3;
      s0 += (double) y0 * y0;
      s1 += (double) y1 * y1;
      s2 += (double) y2 * y2;
      s3 += (double) y3 * y3;
    }
    for (; d < dim; d++) {
      float y = v[offset + d] - mean[d];
      out[o + d] = y;
      s0 += (double) y * y;
    }
    return (s0 + s1) + (s2 + s3);
  }
}
