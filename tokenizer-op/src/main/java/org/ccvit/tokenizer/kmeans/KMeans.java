/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.kmeans;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * k-means with the semantics of faiss's {@code Clustering} (L2, nredo 1): optional seeded
 * subsample, initialisation from k distinct random points, then per iteration an exact assignment,
 * the objective, the means, and the splitting of empty clusters.
 *
 * <p>The pieces are public so that a distributed job can run the same loop: each worker calls
 * {@link PartialSums#compute} (or keeps a {@link BoundedAssigner}) on its points, the partial sums
 * are {@link PartialSums#merge merged}, and {@link #update} yields the next centroids. {@link #fit}
 * is exactly that loop on one machine.
 */
public final class KMeans {
  /** faiss's relative perturbation when splitting a cluster (a bit above float16's epsilon). */
  private static final double SPLIT_EPSILON = 1.0 / 1024;

  private final KMeansConfig config;

  public KMeans(KMeansConfig config) {
    this.config = config;
  }

  /**
   * Clusters the points.
   *
   * @param points row-major [n, dim], finite values
   * @param listener called after each iteration; may be null
   */
  public KMeansResult fit(float[] points, int n, int dim, IterationListener listener) {
    int k = config.k();
    checkPoints(points, n, dim, k);
    float[] training = points;
    int m = (int) config.trainingSize(n);
    if (m < n) {
      training = gatherRows(points, dim, subsampleRows(n, config));
    }
    List<IterationStats> history = new ArrayList<>();
    if (m == k) {
      // faiss's corner case: the points themselves, in their order, are the centroids.
      float[] copy = java.util.Arrays.copyOf(training, k * dim);
      return new KMeansResult(copy, k, dim, 0, history);
    }
    float[] centroids = initialCentroids(training, m, dim, k, config.seed());
    BoundedAssigner assigner = new BoundedAssigner(training, m, dim);
    SplittableRandom splitRandom = new SplittableRandom(config.seed());
    double objective = Double.NaN;
    for (int iteration = 0; iteration < config.iterations(); iteration++) {
      long start = System.nanoTime();
      PartialSums sums = assigner.assign(centroids, k);
      centroids =
          finishIteration(
              iteration, start, centroids, sums, k, dim, splitRandom, history, listener);
      objective = sums.objective;
    }
    return new KMeansResult(centroids, k, dim, objective, List.copyOf(history));
  }

  /**
   * Ends an iteration, in-process or distributed alike: updates the centroids from the merged sums
   * (splitting empty clusters), records the iteration's statistics and tells the listener.
   *
   * @param startNanos {@link System#nanoTime()} when the iteration began
   * @return the new centroids
   */
  public static float[] finishIteration(
      int iteration,
      long startNanos,
      float[] centroids,
      PartialSums sums,
      int k,
      int dim,
      SplittableRandom splitRandom,
      List<IterationStats> history,
      IterationListener listener) {
    CentroidUpdate next = update(centroids, sums, k, dim, splitRandom);
    IterationStats stats =
        new IterationStats(
            iteration,
            sums.objective,
            next.emptyClustersSplit(),
            (System.nanoTime() - startNanos) / 1e9);
    history.add(stats);
    if (listener != null) {
      listener.onIteration(stats);
    }
    return next.centroids();
  }

  /**
   * faiss's initialisation: the points at the first k positions of {@code rand_perm(n, seed+1)},
   * i.e. k distinct points, in permutation order.
   *
   * @param seed the clustering seed ({@link KMeansConfig#seed()}); faiss adds 1 for this draw
   * @return row-major [k, dim]
   */
  public static float[] initialCentroids(float[] points, int n, int dim, int k, long seed) {
    checkPoints(points, n, dim, k);
    return gatherRows(points, dim, initialRows(n, k, seed));
  }

  /**
   * The rows of the n training points that {@link #initialCentroids} takes, in centroid order.
   *
   * @param seed the clustering seed ({@link KMeansConfig#seed()})
   */
  public static int[] initialRows(int n, int k, long seed) {
    return SeededPermutation.prefix(n, k, seed + 1);
  }

  /**
   * faiss's subsample when there are more than {@code k * maxPointsPerCentroid} points: the rows of
   * the n points that are clustered, in training order (the first {@link KMeansConfig#trainingSize}
   * entries of {@code rand_perm(n, seed)}). With no subsampling, this is 0..n-1.
   */
  public static int[] subsampleRows(int n, KMeansConfig config) {
    int m = (int) config.trainingSize(n);
    return m < n ? SeededPermutation.prefix(n, m, config.seed()) : IntStream.range(0, n).toArray();
  }

  /**
   * New centroids from the merged sums of all points: each cluster's mean, then every empty cluster
   * is refilled as faiss does: pick a cluster with probability (size - 1) / (n - k) by walking the
   * clusters cyclically, copy its centroid, perturb the two copies in opposite directions by a
   * relative 1/1024 (even dimensions up for the new one, odd ones down), and give each half the
   * points. An empty cluster keeps its previous centroid only when no cluster has two points to
   * split.
   *
   * @param previous centroids the sums were assigned to, row-major [k, dim]
   * @param rng source of the split choices
   */
  public static CentroidUpdate update(
      float[] previous, PartialSums total, int k, int dim, SplittableRandom rng) {
    if (total.k != k || total.dim != dim || previous.length != (long) k * dim) {
      throw new IllegalArgumentException(
          "expected partial sums and previous centroids for k="
              + k
              + ", dim="
              + dim
              + ", got sums for k="
              + total.k
              + ", dim="
              + total.dim
              + " and "
              + previous.length
              + " centroid values");
    }
    float[] centroids = new float[k * dim];
    long[] sizes = total.counts.clone();
    long n = 0;
    long splittable = 0;
    for (int j = 0; j < k; j++) {
      n += sizes[j];
      splittable += Math.max(0, sizes[j] - 1);
      if (sizes[j] > 0) {
        for (int d = 0; d < dim; d++) {
          centroids[j * dim + d] = (float) (total.sums[j * dim + d] / sizes[j]);
        }
      }
    }
    int split = 0;
    for (int empty = 0; empty < k; empty++) {
      if (sizes[empty] != 0) {
        continue;
      }
      if (splittable == 0) {
        System.arraycopy(previous, empty * dim, centroids, empty * dim, dim);
        continue;
      }
      int source = 0;
      double spare = Math.max(1, n - k);
      while (rng.nextDouble() >= (sizes[source] - 1.0) / spare) {
        source = (source + 1) % k;
      }
      for (int d = 0; d < dim; d++) {
        float value = centroids[source * dim + d];
        double up = d % 2 == 0 ? 1 + SPLIT_EPSILON : 1 - SPLIT_EPSILON;
        centroids[empty * dim + d] = (float) (value * up);
        centroids[source * dim + d] = (float) (value * (2 - up));
      }
      sizes[empty] = sizes[source] / 2;
      sizes[source] -= sizes[empty];
      splittable -= 1;
      split++;
    }
    return new CentroidUpdate(centroids, sizes, split);
  }

  private static float[] gatherRows(float[] points, int dim, int[] rows) {
    float[] out = new float[rows.length * dim];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(points, rows[r] * dim, out, r * dim, dim);
    }
    return out;
  }

  private static void checkPoints(float[] points, int n, int dim, int k) {
    BoundedAssigner.checkPointArray(points, n, dim);
    if (n < k) {
      throw new IllegalArgumentException("need at least k=" + k + " points to cluster, got " + n);
    }
    for (int i = 0; i < n * dim; i++) {
      if (!Float.isFinite(points[i])) {
        throw new IllegalArgumentException(
            "point " + i / dim + " has a non-finite value at dimension " + i % dim);
      }
    }
  }
}
