/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.kmeans;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Exact nearest-centroid assignment of a fixed set of points, repeated over k-means iterations,
 * that skips most of the work after the first iteration (Hamerly's bounds). For every point it
 * keeps an upper bound on the distance to its assigned centroid and a lower bound on the distance
 * to every other centroid; when centroids move, the bounds widen by how far they moved, and only
 * points whose upper bound reaches the lower bound are searched again.
 *
 * <p>Searched points get float32 dot products against all centroids from {@link CentroidPanels};
 * every centroid within the float32 error bound of the best is then re-checked in float64, so the
 * result is the exact float64 argmin with the lowest index on ties. Bounds carry that error bound
 * too, so skipping never changes an assignment. Work is spread over the common fork-join pool;
 * results do not depend on the number of threads.
 *
 * <p>Not thread-safe: one instance per point set, used by one caller at a time.
 */
public final class BoundedAssigner {
  private static final int CHUNK = 2048;
  private static final int BLOCK = 64;

  /** Bounds the float32 error of |x|^2 + |c|^2 - 2 x.c relative to |x|^2 + |c|^2, with slack. */
  private static final double RELATIVE_DOT_ERROR = 1e-5;

  private final float[] points;
  private final int n;
  private final int dim;
  private final double[] pointNorms;
  private final int[] assignment;
  private final double[] upper;
  private final double[] lower;
  private float[] previousCentroids;

  /**
   * @param points row-major [n, dim]; not copied, must not change while this assigner is used
   */
  public BoundedAssigner(float[] points, int n, int dim) {
    if (n < 0 || dim < 1 || points.length < (long) n * dim) {
      throw new IllegalArgumentException(
          "expected n >= 0, dim >= 1 and at least n*dim points values, got n="
              + n
              + ", dim="
              + dim
              + ", "
              + points.length
              + " values");
    }
    this.points = points;
    this.n = n;
    this.dim = dim;
    this.pointNorms = new double[n];
    for (int i = 0; i < n; i++) {
      pointNorms[i] = squaredNorm(points, i * dim, dim);
    }
    this.assignment = new int[n];
    this.upper = new double[n];
    this.lower = new double[n];
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
    boolean warm = previousCentroids != null && previousCentroids.length == centroids.length;
    if (warm) {
      widenBounds(centroids, k);
    } else {
      Arrays.fill(upper, Double.POSITIVE_INFINITY);
      Arrays.fill(lower, 0);
    }
    double[] centroidNorms = new double[k];
    double maxCentroidNorm = 0;
    for (int j = 0; j < k; j++) {
      centroidNorms[j] = squaredNorm(centroids, j * dim, dim);
      maxCentroidNorm = Math.max(maxCentroidNorm, centroidNorms[j]);
    }
    CentroidPanels panels = new CentroidPanels(centroids, k, dim);
    double maxNorm = maxCentroidNorm;
    int chunks = (n + CHUNK - 1) / CHUNK;
    IntStream.range(0, chunks)
        .parallel()
        .forEach(
            c ->
                searchChunk(
                    c * CHUNK,
                    Math.min(n, (c + 1) * CHUNK),
                    centroids,
                    k,
                    centroidNorms,
                    maxNorm,
                    panels,
                    warm));
    previousCentroids = centroids.clone();
    return sumClusters(centroids, k);
  }

  /** The cluster of each point after the last {@link #assign}; a live view, do not modify. */
  public int[] assignment() {
    return assignment;
  }

  private void widenBounds(float[] centroids, int k) {
    double[] drift = new double[k];
    int farthest = 0;
    for (int j = 0; j < k; j++) {
      drift[j] = Math.sqrt(squaredDistance(centroids, j * dim, previousCentroids, j * dim, dim));
      if (drift[j] > drift[farthest]) {
        farthest = j;
      }
    }
    double largest = drift[farthest];
    double secondLargest = 0;
    for (int j = 0; j < k; j++) {
      if (j != farthest) {
        secondLargest = Math.max(secondLargest, drift[j]);
      }
    }
    for (int i = 0; i < n; i++) {
      int a = assignment[i];
      upper[i] += drift[a];
      // Every other centroid moved at most this far, so it cannot have come closer by more.
      lower[i] -= a == farthest ? secondLargest : largest;
    }
  }

  private void searchChunk(
      int from,
      int to,
      float[] centroids,
      int k,
      double[] centroidNorms,
      double maxCentroidNorm,
      CentroidPanels panels,
      boolean warm) {
    float[] block = new float[BLOCK * dim];
    float[] dots = new float[BLOCK * panels.paddedK()];
    int[] members = new int[BLOCK];
    int count = 0;
    for (int i = from; i < to; i++) {
      if (warm) {
        if (upper[i] < lower[i]) {
          continue;
        }
        upper[i] = Math.sqrt(squaredDistance(points, i * dim, centroids, assignment[i] * dim, dim));
        if (upper[i] < lower[i]) {
          continue;
        }
      }
      System.arraycopy(points, i * dim, block, count * dim, dim);
      members[count++] = i;
      if (count == BLOCK) {
        searchBlock(
            block, members, count, dots, centroids, k, centroidNorms, maxCentroidNorm, panels);
        count = 0;
      }
    }
    if (count > 0) {
      searchBlock(
          block, members, count, dots, centroids, k, centroidNorms, maxCentroidNorm, panels);
    }
  }

  private void searchBlock(
      float[] block,
      int[] members,
      int count,
      float[] dots,
      float[] centroids,
      int k,
      double[] centroidNorms,
      double maxCentroidNorm,
      CentroidPanels panels) {
    int rows = (count + CentroidPanels.ROWS - 1) / CentroidPanels.ROWS * CentroidPanels.ROWS;
    Arrays.fill(block, count * dim, rows * dim, 0f);
    panels.dots(block, rows, dots);
    int stride = panels.paddedK();
    for (int r = 0; r < count; r++) {
      int i = members[r];
      double xNorm = pointNorms[i];
      double margin = RELATIVE_DOT_ERROR * (xNorm + maxCentroidNorm);
      int row = r * stride;
      int best = 0;
      double bestApprox = Double.POSITIVE_INFINITY;
      for (int j = 0; j < k; j++) {
        double approx = xNorm + centroidNorms[j] - 2.0 * dots[row + j];
        if (approx < bestApprox) {
          bestApprox = approx;
          best = j;
        }
      }
      // Re-check in float64 every centroid that float32 rounding could have misranked.
      int nearest = best;
      double nearestDistance = Double.NaN;
      double cutoff = bestApprox + 2 * margin;
      for (int j = 0; j < k; j++) {
        double approx = xNorm + centroidNorms[j] - 2.0 * dots[row + j];
        if (approx <= cutoff) {
          double exact = squaredDistance(points, i * dim, centroids, j * dim, dim);
          if (Double.isNaN(nearestDistance) || exact < nearestDistance) {
            nearestDistance = exact;
            nearest = j;
          }
        }
      }
      double secondApprox = Double.POSITIVE_INFINITY;
      for (int j = 0; j < k; j++) {
        if (j != nearest) {
          secondApprox = Math.min(secondApprox, xNorm + centroidNorms[j] - 2.0 * dots[row + j]);
        }
      }
      assignment[i] = nearest;
      upper[i] = Math.sqrt(nearestDistance);
      lower[i] = Math.sqrt(Math.max(0, secondApprox - margin));
    }
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
    IntStream.range(0, k)
        .parallel()
        .forEach(
            j -> {
              int base = j * dim;
              double objective = 0;
              for (int m = start[j]; m < start[j + 1]; m++) {
                int offset = order[m] * dim;
                for (int d = 0; d < dim; d++) {
                  double v = points[offset + d];
                  sums[base + d] += v;
                  double e = v - centroids[base + d];
                  objective += e * e;
                }
              }
              clusterObjective[j] = objective;
            });
    double objective = 0;
    for (double o : clusterObjective) {
      objective += o;
    }
    return new PartialSums(k, dim, sums, counts, objective);
  }

  private static double squaredNorm(float[] a, int offset, int length) {
    double s = 0;
    for (int d = 0; d < length; d++) {
      double v = a[offset + d];
      s += v * v;
    }
    return s;
  }

  static double squaredDistance(float[] a, int aOffset, float[] b, int bOffset, int length) {
    double s = 0;
    for (int d = 0; d < length; d++) {
      double e = (double) a[aOffset + d] - b[bOffset + d];
      s += e * e;
    }
    return s;
  }
}
