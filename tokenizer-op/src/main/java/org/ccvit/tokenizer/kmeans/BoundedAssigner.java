/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.kmeans;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.ccvit.tokenizer.linalg.CentroidPanels;
import org.ccvit.tokenizer.linalg.ExactArgmin;
import org.ccvit.tokenizer.linalg.PrincipalSubspace;
import org.ccvit.tokenizer.linalg.SquaredDistance;

/**
 * Exact nearest-centroid assignment of a fixed set of points that computes few full distances.
 *
 * <p>The points are projected once onto their leading principal subspace P ({@link
 * PrincipalSubspace}). For each point, a cheap lower bound on the squared distance to every
 * centroid, |x-c|^2 &gt;= |P(x-c)|^2 + (|x_perp| - |c_perp|)^2, comes from a small float32 GEMM in
 * the projected space ({@link CentroidPanels}); a full distance is computed only for centroids
 * whose bound is below the best distance found so far, starting from the point's previous centroid.
 * Bounds carry the float32 error bound, and centroids whose float32 distances are within rounding
 * of the best are re-checked in float64, so the result is the exact float64 argmin with the lowest
 * index on ties.
 *
 * <p>Work is spread over the common fork-join pool, or stays on the calling thread when the caller
 * scales out itself (one assigner per Flink subtask); results do not depend on the number of
 * threads. Not thread-safe: one instance per point set, one caller at a time.
 */
public final class BoundedAssigner {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> SUMS = DoubleVector.SPECIES_PREFERRED;

  /** Floats that widen to exactly one {@link #SUMS} vector. */
  private static final VectorSpecies<Float> WIDENED =
      VectorSpecies.of(float.class, VectorShape.forBitSize(SUMS.vectorBitSize() / 2));

  private static final int CHUNK = 1024;
  private static final int BLOCK = 64;
  private static final int SUBSPACE_RANK = 32;

  /** Bounds the float32 error of |x|^2 + |c|^2 - 2 x.c relative to |x|^2 + |c|^2, with slack. */
  private static final double RELATIVE_DOT_ERROR = 1e-5;

  private final float[] points;
  private final int n;
  private final int dim;
  private final double[] pointNorms;

  /** Relative error bound of {@link SquaredDistance#fast} at this dim. */
  private final double distanceError;

  private final PrincipalSubspace subspace;
  private final float[] projected;
  private final double[] projectedNorms;
  private final double[] residualNorms;
  private final int[] assignment;
  private final boolean parallel;
  private boolean assigned;
  private final AtomicLong fullDistances = new AtomicLong();

  /**
   * An assigner that spreads its work over the common fork-join pool.
   *
   * @param points row-major [n, dim]; not copied, must not change while this assigner is used
   */
  public BoundedAssigner(float[] points, int n, int dim) {
    this(points, n, dim, true);
  }

  /** Refuses a point array that cannot hold n points of dimension dim. */
  static void checkPointArray(float[] points, int n, int dim) {
    if (n < 0 || dim < 1 || points.length < (long) n * dim) {
      throw new IllegalArgumentException(
          "expected n >= 0, dim >= 1 and at least n*dim point values, got n="
              + n
              + ", dim="
              + dim
              + ", "
              + points.length
              + " values");
    }
  }

  /**
   * @param points row-major [n, dim]; not copied, must not change while this assigner is used
   * @param parallel false keeps all work on the calling thread
   */
  public BoundedAssigner(float[] points, int n, int dim, boolean parallel) {
    checkPointArray(points, n, dim);
    this.points = points;
    this.n = n;
    this.dim = dim;
    this.pointNorms = new double[n];
    this.distanceError = SquaredDistance.fastRelativeError(dim);
    for (int i = 0; i < n; i++) {
      pointNorms[i] = SquaredDistance.squaredNorm(points, i * dim, dim);
    }
    this.subspace = n > 0 ? PrincipalSubspace.of(points, n, dim, SUBSPACE_RANK) : null;
    this.projected = n > 0 ? subspace.project(points, n) : new float[0];
    int rank = n > 0 ? subspace.rank() : 0;
    this.projectedNorms = new double[n];
    this.residualNorms = new double[n];
    for (int i = 0; i < n; i++) {
      projectedNorms[i] = SquaredDistance.squaredNorm(projected, i * rank, rank);
      residualNorms[i] = Math.sqrt(Math.max(0, pointNorms[i] - projectedNorms[i]));
    }
    this.assignment = new int[n];
    this.parallel = parallel;
  }

  /**
   * Assigns every point to its nearest centroid and returns the per-cluster sums, counts and the
   * objective (float64, summed per cluster in point order, so independent of threading).
   *
   * @param centroids row-major [k, dim]
   */
  public PartialSums assign(float[] centroids, int k) {
    if (k < 1 || centroids.length != (long) k * dim) {
      throw new IllegalArgumentException(
          "expected k >= 1 centroids of dim " + dim + ", got " + centroids.length + " values");
    }
    fullDistances.set(0);
    if (n == 0) {
      return PartialSums.empty(k, dim);
    }
    int rank = subspace.rank();
    double[] centroidNorms = new double[k];
    float[] centroidProjectedNorms = new float[k];
    float[] centroidResiduals = new float[k];
    float[] projectedCentroids = subspace.project(centroids, k);
    double maxCentroidNorm = 0;
    for (int j = 0; j < k; j++) {
      centroidNorms[j] = SquaredDistance.squaredNorm(centroids, j * dim, dim);
      double projectedNorm = SquaredDistance.squaredNorm(projectedCentroids, j * rank, rank);
      centroidProjectedNorms[j] = (float) projectedNorm;
      centroidResiduals[j] = (float) Math.sqrt(Math.max(0, centroidNorms[j] - projectedNorm));
      maxCentroidNorm = Math.max(maxCentroidNorm, centroidNorms[j]);
    }
    Centroids target =
        new Centroids(
            centroids,
            k,
            new CentroidPanels(projectedCentroids, k, rank),
            centroidProjectedNorms,
            centroidResiduals,
            maxCentroidNorm);
    boolean warm = assigned;
    if (warm) {
      for (int i = 0; i < n; i++) {
        if (assignment[i] >= k) {
          warm = false;
          break;
        }
      }
    }
    boolean startFromPrevious = warm;
    int chunks = (n + CHUNK - 1) / CHUNK;
    range(chunks)
        .forEach(
            c -> searchChunk(c * CHUNK, Math.min(n, (c + 1) * CHUNK), target, startFromPrevious));
    assigned = true;
    return sumClusters(centroids, k);
  }

  /** The cluster of each point after the last {@link #assign}; a live view, do not modify. */
  public int[] assignment() {
    return assignment;
  }

  /** Full distances computed by the last {@link #assign} (n * k for a brute-force search). */
  public long fullDistancesInLastAssign() {
    return fullDistances.get();
  }

  /** The centroids of one {@link #assign} call, in the forms the search needs. */
  private record Centroids(
      float[] values,
      int k,
      CentroidPanels projectedPanels,
      float[] projectedNorms,
      float[] residualNorms,
      double maxNorm) {}

  private void searchChunk(int from, int to, Centroids c, boolean startFromPrevious) {
    int rank = subspace.rank();
    int stride = c.projectedPanels().paddedK();
    float[] block = new float[BLOCK * rank];
    float[] dots = new float[BLOCK * stride];
    float[] bounds = new float[c.k()];
    int[] candidates = new int[c.k()];
    float[] candidateDistances = new float[c.k()];
    long computed = 0;
    for (int start = from; start < to; start += BLOCK) {
      int count = Math.min(BLOCK, to - start);
      int rows = (count + CentroidPanels.ROWS - 1) / CentroidPanels.ROWS * CentroidPanels.ROWS;
      System.arraycopy(projected, start * rank, block, 0, count * rank);
      Arrays.fill(block, count * rank, rows * rank, 0f);
      c.projectedPanels().dots(block, 0, rows, dots);
      for (int r = 0; r < count; r++) {
        int i = start + r;
        // The margin covers float32 rounding of the GEMM form and of the bound itself.
        double margin = RELATIVE_DOT_ERROR * (pointNorms[i] + c.maxNorm());
        float smallestBound =
            lowerBounds(i, dots, r * stride, c, (float) (projectedNorms[i] - margin), bounds);
        int first = startFromPrevious ? assignment[i] : indexOf(bounds, smallestBound);
        float best = SquaredDistance.fast(points, i * dim, c.values(), first * dim, dim);
        candidates[0] = first;
        candidateDistances[0] = best;
        int found = scanCandidates(i, c, bounds, first, best, candidates, candidateDistances, 1);
        computed += found;
        assignment[i] =
            ExactArgmin.among(
                points,
                i * dim,
                c.values(),
                dim,
                candidates,
                candidateDistances,
                found,
                distanceError);
      }
    }
    fullDistances.addAndGet(computed);
  }

  /**
   * Computes the full distance to every centroid (except {@code first}, already a candidate) whose
   * bound does not exceed the best distance so far with rounding slack: any other centroid can
   * neither win nor tie. Appends them to the candidates and returns the new count.
   */
  private int scanCandidates(
      int i,
      Centroids c,
      float[] bounds,
      int first,
      float best,
      int[] candidates,
      float[] candidateDistances,
      int found) {
    float slack = (float) (1 + 2 * distanceError);
    int j = 0;
    for (int limit = SPECIES.loopBound(c.k()); j < limit; j += SPECIES.length()) {
      VectorMask<Float> open =
          FloatVector.fromArray(SPECIES, bounds, j).compare(VectorOperators.LE, best * slack);
      if (open.anyTrue()) {
        for (int lane = 0; lane < SPECIES.length(); lane++) {
          if (open.laneIsSet(lane) && j + lane != first) {
            float d = SquaredDistance.fast(points, i * dim, c.values(), (j + lane) * dim, dim);
            candidates[found] = j + lane;
            candidateDistances[found++] = d;
            best = Math.min(best, d);
          }
        }
      }
    }
    for (; j < c.k(); j++) {
      if (j != first && bounds[j] <= best * slack) {
        float d = SquaredDistance.fast(points, i * dim, c.values(), j * dim, dim);
        candidates[found] = j;
        candidateDistances[found++] = d;
        best = Math.min(best, d);
      }
    }
    return found;
  }

  /**
   * Fills bounds[j] with |P(x-c_j)|^2 + (|x_perp| - |c_perp_j|)^2 - margin, with |Px|^2 - margin
   * given as {@code offset}, and returns the smallest bound.
   */
  private float lowerBounds(
      int i, float[] dots, int row, Centroids c, float offset, float[] bounds) {
    float residual = (float) residualNorms[i];
    FloatVector smallest = FloatVector.broadcast(SPECIES, Float.POSITIVE_INFINITY);
    int j = 0;
    for (int limit = SPECIES.loopBound(c.k()); j < limit; j += SPECIES.length()) {
      FloatVector gap =
          FloatVector.broadcast(SPECIES, residual)
              .sub(FloatVector.fromArray(SPECIES, c.residualNorms(), j));
      FloatVector bound =
          FloatVector.fromArray(SPECIES, dots, row + j)
              .mul(-2f)
              .add(FloatVector.fromArray(SPECIES, c.projectedNorms(), j))
              .add(offset)
              .add(gap.mul(gap));
      bound.intoArray(bounds, j);
      smallest = smallest.min(bound);
    }
    float min = smallest.reduceLanes(VectorOperators.MIN);
    for (; j < c.k(); j++) {
      float gap = residual - c.residualNorms()[j];
      bounds[j] = -2f * dots[row + j] + c.projectedNorms()[j] + offset + gap * gap;
      min = Math.min(min, bounds[j]);
    }
    return min;
  }

  private static int indexOf(float[] values, float value) {
    for (int j = 0; j < values.length; j++) {
      if (values[j] == value) {
        return j;
      }
    }
    throw new IllegalStateException("bound " + value + " not found");
  }

  private PartialSums sumClusters(float[] centroids, int k) {
    // Stable counting sort of the points by cluster, so each cluster is summed in point order.
    long[] counts = new long[k];
    for (int i = 0; i < n; i++) {
      counts[assignment[i]]++;
    }
    int[] start = new int[k + 1];
    for (int j = 0; j < k; j++) {
      start[j + 1] = start[j] + (int) counts[j];
    }
    int[] order = new int[n];
    int[] fill = Arrays.copyOf(start, k);
    for (int i = 0; i < n; i++) {
      order[fill[assignment[i]]++] = i;
    }
    double[] sums = new double[k * dim];
    double[] clusterObjective = new double[k];
    range(k)
        .forEach(
            j -> {
              int base = j * dim;
              double pointNormSum = 0;
              for (int m = start[j]; m < start[j + 1]; m++) {
                addToSums(order[m] * dim, sums, base);
                pointNormSum += pointNorms[order[m]];
              }
              // sum |x - c|^2 = sum |x|^2 - 2 c.sum x + count |c|^2; float64 has ample headroom
              // for the cancellation (sums of float32 squares of similar size).
              double cross = 0;
              double centroidNorm = 0;
              for (int d = 0; d < dim; d++) {
                double c = centroids[base + d];
                cross += c * sums[base + d];
                centroidNorm += c * c;
              }
              clusterObjective[j] =
                  Math.max(0, pointNormSum - 2 * cross + (start[j + 1] - start[j]) * centroidNorm);
            });
    double objective = 0;
    for (double o : clusterObjective) {
      objective += o;
    }
    return new PartialSums(k, dim, sums, counts, objective);
  }

  private IntStream range(int count) {
    IntStream range = IntStream.range(0, count);
    return parallel ? range.parallel() : range;
  }

  /** sums[base..base+dim) += the point at offset, widened to float64 lane by lane. */
  private void addToSums(int offset, double[] sums, int base) {
    int d = 0;
    for (int limit = WIDENED.loopBound(dim); d < limit; d += WIDENED.length()) {
      DoubleVector point =
          (DoubleVector)
              FloatVector.fromArray(WIDENED, points, offset + d)
                  .convertShape(VectorOperators.F2D, SUMS, 0);
      DoubleVector.fromArray(SUMS, sums, base + d).add(point).intoArray(sums, base + d);
    }
    for (; d < dim; d++) {
      sums[base + d] += points[offset + d];
    }
  }
}
