/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.search;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.linalg.SquaredDistance;

/**
 * Fast nearest-centroid search with exactly the result of {@link BruteForceSearch}.
 *
 * <p>First every score {@code ||c||^2 - 2 x.c} is computed with float32 SIMD dot products, blocked
 * over points and centroids so both stay in cache. The float error of each score is bounded
 * rigorously (whatever the summation order: {@code gamma_n * sum|x_i c_i|} with {@code sum|x_i c_i|
 * <= ||x|| ||c||}); every centroid whose score is within twice that bound (plus the float64
 * rounding of the reference) of the best score is then re-scored with the reference float64
 * distance, keeping the lowest index among equal distances. Usually that is one to three centroids.
 *
 * <p>Not thread-safe: it reuses a score buffer, so use one instance per thread (instances may share
 * the codebook).
 */
public final class ExactSearch implements NearestCentroidSearch {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

  /** Points per block: their scores against all centroids are kept before the exact check. */
  private static final int POINT_BLOCK = 64;

  /** Centroids per block: 64 rows of 768 floats (192 KiB) stay in L2 while points pass. */
  private static final int CENTROID_BLOCK = 64;

  private static final double FLOAT_UNIT_ROUNDOFF = 0x1p-24;

  private final Codebook codebook;
  private final float[] centroids;
  private final int k;
  private final int dim;
  private final double[] centroidSquaredNorms;
  private final double maxCentroidNorm;
  private final double maxCentroidSquaredNorm;

  /** gamma_n = n u / (1 - n u) for the float32 dot product of length dim, with margin. */
  private final double dotErrorFactor;

  /** Relative error bound of the float64 reference distance. */
  private final double referenceErrorFactor;

  private final float[] scores;
  private final int[] candidates;

  public ExactSearch(Codebook codebook) {
    this.codebook = codebook;
    this.centroids = codebook.centroids();
    this.k = codebook.k();
    this.dim = codebook.dim();
    this.centroidSquaredNorms = new double[k];
    double maxSquared = 0;
    for (int c = 0; c < k; c++) {
      double s = 0;
      for (int i = 0; i < dim; i++) {
        double v = centroids[c * dim + i];
        s += v * v;
      }
      centroidSquaredNorms[c] = s;
      maxSquared = Math.max(maxSquared, s);
    }
    this.maxCentroidSquaredNorm = maxSquared;
    this.maxCentroidNorm = Math.sqrt(maxSquared) * (1 + 1e-12);
    double nu = (dim + 2) * FLOAT_UNIT_ROUNDOFF;
    this.dotErrorFactor = nu / (1 - nu);
    this.referenceErrorFactor = (dim + 4) * 0x1p-52;
    this.scores = new float[POINT_BLOCK * k];
    this.candidates = new int[k];
  }

  public Codebook codebook() {
    return codebook;
  }

  @Override
  public void assign(float[] points, int n, int[] out) {
    NearestCentroidSearch.checkPoints(points, n, dim);
    for (int start = 0; start < n; start += POINT_BLOCK) {
      int count = Math.min(POINT_BLOCK, n - start);
      scoreBlock(points, start, count);
      for (int p = 0; p < count; p++) {
        out[start + p] = refine(points, start + p, p);
      }
    }
  }

  /** scores[p*k + c] = ||c||^2 - 2 x.c in float, for the points start..start+count. */
  private void scoreBlock(float[] points, int start, int count) {
    for (int c0 = 0; c0 < k; c0 += CENTROID_BLOCK) {
      int cEnd = Math.min(k, c0 + CENTROID_BLOCK);
      int c = c0;
      for (; c + 4 <= cEnd; c += 4) {
        int p = 0;
        for (; p + 4 <= count; p += 4) {
          dots4x4(points, start + p, c, p);
        }
        for (; p < count; p++) {
          for (int j = c; j < c + 4; j++) {
            scores[p * k + j] = score(j, dot(points, (start + p) * dim, j * dim));
          }
        }
      }
      for (; c < cEnd; c++) {
        for (int p = 0; p < count; p++) {
          scores[p * k + c] = score(c, dot(points, (start + p) * dim, c * dim));
        }
      }
    }
  }

  private float score(int c, float dot) {
    return (float) (centroidSquaredNorms[c] - 2.0 * dot);
  }

  /** Dot products of 4 points with 4 centroids: 16 accumulators reuse every load 4 times. */
  private void dots4x4(float[] points, int point, int c, int p) {
    int x0 = point * dim;
    int x1 = x0 + dim;
    int x2 = x1 + dim;
    int x3 = x2 + dim;
    int y0 = c * dim;
    int y1 = y0 + dim;
    int y2 = y1 + dim;
    int y3 = y2 + dim;
    FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a02 = a00, a03 = a00;
    FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
    FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
    FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
    int lanes = SPECIES.length();
    int i = 0;
    for (int bound = SPECIES.loopBound(dim); i < bound; i += lanes) {
      FloatVector c0 = FloatVector.fromArray(SPECIES, centroids, y0 + i);
      FloatVector c1 = FloatVector.fromArray(SPECIES, centroids, y1 + i);
      FloatVector c2 = FloatVector.fromArray(SPECIES, centroids, y2 + i);
      FloatVector c3 = FloatVector.fromArray(SPECIES, centroids, y3 + i);
      FloatVector v = FloatVector.fromArray(SPECIES, points, x0 + i);
      a00 = v.fma(c0, a00);
      a01 = v.fma(c1, a01);
      a02 = v.fma(c2, a02);
      a03 = v.fma(c3, a03);
      v = FloatVector.fromArray(SPECIES, points, x1 + i);
      a10 = v.fma(c0, a10);
      a11 = v.fma(c1, a11);
      a12 = v.fma(c2, a12);
      a13 = v.fma(c3, a13);
      v = FloatVector.fromArray(SPECIES, points, x2 + i);
      a20 = v.fma(c0, a20);
      a21 = v.fma(c1, a21);
      a22 = v.fma(c2, a22);
      a23 = v.fma(c3, a23);
      v = FloatVector.fromArray(SPECIES, points, x3 + i);
      a30 = v.fma(c0, a30);
      a31 = v.fma(c1, a31);
      a32 = v.fma(c2, a32);
      a33 = v.fma(c3, a33);
    }
    // Written out rather than looped over an array, which would box the vectors.
    int r0 = p * k + c;
    int r1 = r0 + k;
    int r2 = r1 + k;
    int r3 = r2 + k;
    finish(points, a00, x0, y0, i, r0, c);
    finish(points, a01, x0, y1, i, r0 + 1, c + 1);
    finish(points, a02, x0, y2, i, r0 + 2, c + 2);
    finish(points, a03, x0, y3, i, r0 + 3, c + 3);
    finish(points, a10, x1, y0, i, r1, c);
    finish(points, a11, x1, y1, i, r1 + 1, c + 1);
    finish(points, a12, x1, y2, i, r1 + 2, c + 2);
    finish(points, a13, x1, y3, i, r1 + 3, c + 3);
    finish(points, a20, x2, y0, i, r2, c);
    finish(points, a21, x2, y1, i, r2 + 1, c + 1);
    finish(points, a22, x2, y2, i, r2 + 2, c + 2);
    finish(points, a23, x2, y3, i, r2 + 3, c + 3);
    finish(points, a30, x3, y0, i, r3, c);
    finish(points, a31, x3, y1, i, r3 + 1, c + 1);
    finish(points, a32, x3, y2, i, r3 + 2, c + 2);
    finish(points, a33, x3, y3, i, r3 + 3, c + 3);
  }

  /** Sums the lanes, adds the scalar tail from element {@code from}, stores the score. */
  private void finish(
      float[] points, FloatVector acc, int x, int y, int from, int scoreIndex, int c) {
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (int t = from; t < dim; t++) {
      sum = Math.fma(points[x + t], centroids[y + t], sum);
    }
    scores[scoreIndex] = score(c, sum);
  }

  private float dot(float[] points, int x, int y) {
    FloatVector acc = FloatVector.zero(SPECIES);
    int i = 0;
    for (int bound = SPECIES.loopBound(dim); i < bound; i += SPECIES.length()) {
      acc =
          FloatVector.fromArray(SPECIES, points, x + i)
              .fma(FloatVector.fromArray(SPECIES, centroids, y + i), acc);
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < dim; i++) {
      sum = Math.fma(points[x + i], centroids[y + i], sum);
    }
    return sum;
  }

  /** The exact winner for one point among the centroids its approximate score cannot exclude. */
  private int refine(float[] points, int point, int p) {
    int x = point * dim;
    double squaredNorm = 0;
    for (int i = 0; i < dim; i++) {
      double v = points[x + i];
      squaredNorm += v * v;
    }
    if (!Double.isFinite(squaredNorm)) {
      throw new IllegalArgumentException("point " + point + " holds a NaN or infinite value");
    }
    int row = p * k;
    float best = Float.POSITIVE_INFINITY;
    for (int c = 0; c < k; c++) {
      best = Math.min(best, scores[row + c]);
    }
    double threshold = best + margin(Math.sqrt(squaredNorm), squaredNorm + best);
    int candidateCount = 0;
    for (int c = 0; c < k; c++) {
      if (!(scores[row + c] > threshold)) { // NaN scores (overflow) stay candidates
        candidates[candidateCount++] = c;
      }
    }
    if (candidateCount == 1) {
      return candidates[0];
    }
    double bestDistance = Double.POSITIVE_INFINITY;
    int bestId = candidates[0];
    for (int j = 0; j < candidateCount; j++) {
      int c = candidates[j];
      double d = SquaredDistance.reference(points, x, centroids, c * dim, dim);
      if (d < bestDistance) {
        bestDistance = d;
        bestId = c;
      }
    }
    return bestId;
  }

  /**
   * How far above the best float score the score of the reference winner can lie: twice the score
   * error bound, plus the float64 reference's own relative error on the best distance. Infinite
   * when float32 could overflow, which makes every centroid a candidate.
   */
  private double margin(double pointNorm, double approxBestDistance) {
    double cross = pointNorm * maxCentroidNorm;
    if (!(cross < 1e30)) {
      return Double.POSITIVE_INFINITY;
    }
    double scoreError =
        2 * dotErrorFactor * cross + FLOAT_UNIT_ROUNDOFF * (maxCentroidSquaredNorm + 2 * cross);
    double bestDistanceBound = Math.max(0, approxBestDistance) + scoreError;
    return (2 * scoreError + 2 * referenceErrorFactor * bestDistanceBound) * 1.001 + 1e-300;
  }
}
