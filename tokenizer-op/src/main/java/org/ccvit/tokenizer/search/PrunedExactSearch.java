/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.search;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.linalg.CentroidPanels;
import org.ccvit.tokenizer.linalg.ExactArgmin;
import org.ccvit.tokenizer.linalg.SquaredDistance;

/**
 * Exact nearest-centroid search for a fixed codebook that computes only a handful of full distances
 * per point; the result equals {@link BruteForceSearch}'s bit for bit.
 *
 * <p>Points and centroids are centred on the centroid mean and projected onto the centroids'
 * leading principal subspace P ({@link ProjectedCodebook}). For any orthonormal P, |x-c|^2 &gt;=
 * |P(x-c)|^2 + (|x_perp| - |c_perp|)^2. Per point:
 *
 * <ol>
 *   <li>the squared distance in the 48 leading directions to every centroid, from a float32 GEMM
 *       over a block of points;
 *   <li>the full distance to the centroid with the smallest of them: the first upper bound;
 *   <li>the coarse bound (those directions and the residual norms) only for centroids whose
 *       projected distance could let it be below that (a comparison per centroid, no square root);
 *   <li>for centroids whose coarse bound is below it, the fine bound (128 directions, direct
 *       differences); then, smallest fine bound first, the full distance of those whose fine bound
 *       is below the best distance so far;
 *   <li>{@link ExactArgmin}: float64 re-check of the candidates within rounding of the best.
 * </ol>
 *
 * <p>Every bound is a rigorous lower bound despite float32: the computed projections carry a proven
 * error allowance (dot product error, basis rounding), the residual norms are intervals, and the
 * GEMM form's cancellation error is subtracted. Points or codebooks too large for float32 fall back
 * to the float64 reference. On 224 px Imagenette patches with the K=8192 Imagenette k-means
 * codebook, about 20 centroids pass the comparison, 5 the coarse bound, and 1.7 full distances are
 * computed per point (brute force: 8192).
 *
 * <p>Not thread-safe (it reuses block buffers): use one instance per thread; instances built from
 * one {@link ProjectedCodebook} share its tables.
 */
public final class PrunedExactSearch implements NearestCentroidSearch {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();

  /** Points per block: their coarse dot products (BLOCK x K floats) stay in L2. */
  private static final int BLOCK = 32;

  private final ProjectedCodebook book;
  private final int k;
  private final int dim;
  private final int fineStride;
  private final int dotStride;
  private final double distanceError;
  private final double fineDistanceError;

  /** Multiplies the best distance so far: covers its float32 error and the bounds' rounding. */
  private final double thresholdFactor;

  private final float[] centred;
  private final double[] centredSquaredNorms = new double[BLOCK];
  private final float[] fineBlock;
  private final float[] coarseBlock;
  private final float[] dots;
  private final float[] bounds;
  private final int[] candidates;
  private final int[] survivorIds;
  private final float[] survivorBounds;
  private final float[] candidateDistances;
  private final ProjectedCodebook.Tolerances pointCoarse = new ProjectedCodebook.Tolerances(1);
  private final ProjectedCodebook.Tolerances pointFine = new ProjectedCodebook.Tolerances(1);

  private long pointsSearched;
  private long fullDistances;
  private long fineBounds;

  /** Prepares the codebook ({@link ProjectedCodebook#of}) for this instance alone. */
  public PrunedExactSearch(Codebook codebook) {
    this(ProjectedCodebook.of(codebook));
  }

  /** A search over a prepared codebook; cheap, so make one per thread. */
  public PrunedExactSearch(ProjectedCodebook book) {
    this.book = book;
    this.k = book.k;
    this.dim = book.dim;
    this.fineStride = book.subspace.coordinateStride();
    this.dotStride = book.coarsePanels.paddedK();
    this.distanceError = SquaredDistance.fastRelativeError(dim);
    this.fineDistanceError = SquaredDistance.fastRelativeError(book.fineRank);
    this.thresholdFactor = 1 + 2 * distanceError + 32 * ProjectedCodebook.UNIT_ROUNDOFF;
    this.centred = new float[BLOCK * dim];
    this.fineBlock = new float[BLOCK * fineStride];
    this.coarseBlock = new float[BLOCK * book.coarseRank];
    this.dots = new float[BLOCK * dotStride];
    this.bounds = new float[k];
    this.candidates = new int[k];
    this.survivorIds = new int[k];
    this.survivorBounds = new float[k];
    this.candidateDistances = new float[k];
  }

  public Codebook codebook() {
    return book.codebook;
  }

  /** Points searched by this instance so far. */
  public long pointsSearched() {
    return pointsSearched;
  }

  /** Full distances computed so far; a brute-force search computes K per point. */
  public long fullDistances() {
    return fullDistances;
  }

  /** Centroids so far whose fine bound was also below the first candidate's distance. */
  public long fineBounds() {
    return fineBounds;
  }

  @Override
  public void assign(float[] points, int n, int[] out) {
    NearestCentroidSearch.checkPoints(points, n, dim);
    for (int start = 0; start < n; start += BLOCK) {
      int count = Math.min(BLOCK, n - start);
      int rows = (count + CentroidPanels.ROWS - 1) / CentroidPanels.ROWS * CentroidPanels.ROWS;
      for (int r = 0; r < count; r++) {
        centredSquaredNorms[r] =
            ProjectedCodebook.centre(points, (start + r) * dim, book.mean, centred, r * dim, dim);
        if (!Double.isFinite(centredSquaredNorms[r])) {
          throw new IllegalArgumentException(
              "point " + (start + r) + " holds a NaN or infinite value");
        }
      }
      // A huge point would overflow the float32 GEMM: zero it there, it is searched by reference.
      for (int r = 0; r < count; r++) {
        if (!bounded(r)) {
          Arrays.fill(centred, r * dim, (r + 1) * dim, 0f);
        }
      }
      Arrays.fill(centred, count * dim, rows * dim, 0f);
      book.subspace.coordinates(centred, 0, rows, fineBlock);
      for (int r = 0; r < rows; r++) {
        System.arraycopy(
            fineBlock, r * fineStride, coarseBlock, r * book.coarseRank, book.coarseRank);
      }
      book.coarsePanels.dots(coarseBlock, 0, rows, dots);
      for (int r = 0; r < count; r++) {
        int point = start + r;
        out[point] = bounded(r) ? nearest(points, point * dim, r) : reference(points, point * dim);
      }
      pointsSearched += count;
    }
  }

  private boolean bounded(int r) {
    return book.boundsSafe && centredSquaredNorms[r] < ProjectedCodebook.SAFE_SQUARED_NORM;
  }

  /** The exact nearest centroid of the point at {@code points[x..]}, block row r. */
  private int nearest(float[] points, int x, int r) {
    int coarseRank = book.coarseRank;
    double norm = Math.sqrt(centredSquaredNorms[r]);
    double coarseNorm =
        Math.sqrt(SquaredDistance.squaredNorm(fineBlock, r * fineStride, coarseRank));
    double fineNorm =
        Math.sqrt(SquaredDistance.squaredNorm(fineBlock, r * fineStride, book.fineRank));
    ProjectedCodebook.fill(pointCoarse, 0, norm, coarseNorm, book.coarseProjectionError);
    ProjectedCodebook.fill(pointFine, 0, norm, fineNorm, book.fineProjectionError);
    float pointNormLow =
        ProjectedCodebook.roundDown(coarseNorm * coarseNorm * (1 - book.coarseGemmError));
    float smallest = coarseSquares(r * dotStride, pointNormLow);
    int first = indexOf(bounds, smallest);
    float best = SquaredDistance.fast(points, x, book.centroids, first * dim, dim);
    // The fine bound of every centroid the coarse bound keeps; then, starting from the smallest
    // fine bound, full distances wherever the fine bound is below the best distance so far.
    int survivors = 0;
    float limit = threshold(best);
    // A coarse bound within limit needs sqrt(squared) - allowances <= sqrt(limit), so a squared
    // coarse distance beyond cut rules a centroid out without its bound (no square root per
    // centroid); the slack covers the float rounding of the bound.
    double reach =
        Math.sqrt(limit) + pointCoarse.projectionError[0] + book.largestCoarseProjectionError;
    float cut = ProjectedCodebook.roundUp(reach * reach * (1 + 1e-5));
    int j = 0;
    for (int end = SPECIES.loopBound(k); j < end; j += LANES) {
      // anyTrue is one instruction; VectorMask.toLong is not intrinsified on JDK 17 (it boxes the
      // mask and loops), so the lanes of a hit are re-read from the array.
      if (FloatVector.fromArray(SPECIES, bounds, j).compare(VectorOperators.LE, cut).anyTrue()) {
        for (int c = j; c < j + LANES; c++) {
          if (bounds[c] <= cut && coarseBound(c, bounds[c]) <= limit) {
            survivors = keepIfBelow(r, c, first, limit, survivors);
          }
        }
      }
    }
    for (; j < k; j++) {
      if (bounds[j] <= cut && coarseBound(j, bounds[j]) <= limit) {
        survivors = keepIfBelow(r, j, first, limit, survivors);
      }
    }
    fineBounds += survivors;
    candidates[0] = first;
    candidateDistances[0] = best;
    int found = 1;
    int smallestFine = 0;
    for (int m = 1; m < survivors; m++) {
      if (survivorBounds[m] < survivorBounds[smallestFine]) {
        smallestFine = m;
      }
    }
    for (int m = 0; m < survivors; m++) {
      // visit the smallest fine bound first, then the rest in index order
      int visit = m == 0 ? smallestFine : m == smallestFine ? 0 : m;
      if (survivorBounds[visit] <= threshold(best)) {
        int c = survivorIds[visit];
        float d = SquaredDistance.fast(points, x, book.centroids, c * dim, dim);
        candidates[found] = c;
        candidateDistances[found++] = d;
        best = Math.min(best, d);
      }
    }
    fullDistances += found;
    return ExactArgmin.among(
        points, x, book.centroids, dim, candidates, candidateDistances, found, distanceError);
  }

  /** Appends centroid c (not {@code first}) to the survivors if its fine bound is within limit. */
  private int keepIfBelow(int r, int c, int first, float limit, int survivors) {
    if (c != first) {
      float bound = fineBound(r, c);
      if (bound <= limit) {
        survivorIds[survivors] = c;
        survivorBounds[survivors] = bound;
        return survivors + 1;
      }
    }
    return survivors;
  }

  /**
   * A bound on a centroid's squared distance that the nearest centroid's cannot exceed, given the
   * float32 distance of the best candidate so far.
   */
  private float threshold(float best) {
    return (float) (best * thresholdFactor) + Float.MIN_NORMAL;
  }

  /**
   * bounds[c] = |P(x-c)|^2 in the GEMM form |Px|^2 + |Pc|^2 - 2 Px.Pc over the coarse directions,
   * with the norms already lowered by the GEMM-form error, for every centroid. Returns the
   * smallest: its centroid is the first candidate.
   */
  private float coarseSquares(int row, float pointNormLow) {
    FloatVector pointNorm = FloatVector.broadcast(SPECIES, pointNormLow);
    FloatVector minusTwo = FloatVector.broadcast(SPECIES, -2f);
    FloatVector smallest = FloatVector.broadcast(SPECIES, Float.POSITIVE_INFINITY);
    int j = 0;
    for (int limit = SPECIES.loopBound(k); j < limit; j += LANES) {
      FloatVector squared =
          FloatVector.fromArray(SPECIES, dots, row + j)
              .fma(minusTwo, FloatVector.fromArray(SPECIES, book.coarseNormsLow, j).add(pointNorm));
      squared.intoArray(bounds, j);
      smallest = smallest.min(squared);
    }
    float min = smallest.reduceLanes(VectorOperators.MIN);
    for (; j < k; j++) {
      bounds[j] = Math.fma(dots[row + j], -2f, book.coarseNormsLow[j] + pointNormLow);
      min = Math.min(min, bounds[j]);
    }
    return min;
  }

  /**
   * A lower bound on |x-c|^2 from the coarse projection: (|P(x-c)| minus the projection
   * allowances)^2 + (gap between the residual intervals)^2, from the squared coarse distance.
   */
  private float coarseBound(int c, float squared) {
    ProjectedCodebook.Tolerances coarse = book.coarse;
    float projected =
        Math.max(
            0,
            (float) Math.sqrt(Math.max(0, squared))
                - (pointCoarse.projectionError[0] + coarse.projectionError[c]));
    float gap =
        Math.max(
            0,
            Math.max(
                pointCoarse.residualLow[0] - coarse.residualHigh[c],
                coarse.residualLow[c] - pointCoarse.residualHigh[0]));
    return projected * projected + gap * gap;
  }

  /** The same bound from all fine directions, with direct differences (no cancellation). */
  private float fineBound(int r, int c) {
    float[] rows = book.fineRows;
    int row = c * book.fineRowLength;
    int rank = book.fineRank;
    float squared = SquaredDistance.fast(fineBlock, r * fineStride, rows, row, rank);
    double projected =
        Math.max(
            0,
            Math.sqrt(squared * (1 - fineDistanceError))
                - ((double) pointFine.projectionError[0] + rows[row + rank]));
    double gap =
        Math.max(
            0,
            Math.max(
                (double) pointFine.residualLow[0] - rows[row + rank + 2],
                (double) rows[row + rank + 1] - pointFine.residualHigh[0]));
    return (float)
        ((projected * projected + gap * gap) * (1 - 4 * ProjectedCodebook.UNIT_ROUNDOFF));
  }

  /** The float64 reference argmin, for points too large for the float32 bounds. */
  private int reference(float[] points, int x) {
    fullDistances += k;
    double best = Double.POSITIVE_INFINITY;
    int bestId = 0;
    for (int c = 0; c < k; c++) {
      double d = SquaredDistance.reference(points, x, book.centroids, c * dim, dim);
      if (d < best) {
        best = d;
        bestId = c;
      }
    }
    return bestId;
  }

  /** The first index of the value (present in the array). */
  private static int indexOf(float[] values, float value) {
    int j = 0;
    for (int end = SPECIES.loopBound(values.length); j < end; j += LANES) {
      VectorMask<Float> hit =
          FloatVector.fromArray(SPECIES, values, j).compare(VectorOperators.EQ, value);
      if (hit.anyTrue()) {
        return j + hit.firstTrue();
      }
    }
    for (; j < values.length; j++) {
      if (values[j] == value) {
        return j;
      }
    }
    throw new IllegalStateException("bound " + value + " not found");
  }
}
