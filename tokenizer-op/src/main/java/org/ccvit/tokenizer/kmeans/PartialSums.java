/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.kmeans;

import java.io.Serializable;
import java.util.Arrays;

/**
 * What one share of the points contributes to a k-means update: per-cluster coordinate sums and
 * counts, and the share's objective. Shares computed on different subtasks are combined with {@link
 * #merge} and then turned into centroids by {@link KMeans#update}. Plain public fields and a
 * no-argument constructor make it a Flink POJO.
 */
public final class PartialSums implements Serializable {
  private static final long serialVersionUID = 1L;

  public int k;
  public int dim;

  /** Row-major [k, dim]: sum of the coordinates of the points assigned to each cluster. */
  public double[] sums;

  /** Points assigned to each cluster. */
  public long[] counts;

  /** Sum over the points of the squared distance to their assigned centroid. */
  public double objective;

  public PartialSums() {}

  public PartialSums(int k, int dim, double[] sums, long[] counts, double objective) {
    if (sums.length != (long) k * dim || counts.length != k) {
      throw new IllegalArgumentException(
          "expected sums of length k*dim="
              + (long) k * dim
              + " and counts of length k="
              + k
              + ", got "
              + sums.length
              + " and "
              + counts.length);
    }
    this.k = k;
    this.dim = dim;
    this.sums = sums;
    this.counts = counts;
    this.objective = objective;
  }

  /** Zero sums, e.g. the identity for {@link #merge}. */
  public static PartialSums empty(int k, int dim) {
    return new PartialSums(k, dim, new double[k * dim], new long[k], 0);
  }

  /**
   * Assigns every point to its nearest centroid (exact: float64 distances, lowest index on ties)
   * and sums them up. Stateless; {@link BoundedAssigner} does the same faster across iterations.
   *
   * @param points row-major [n, dim]
   * @param centroids row-major [k, dim]
   */
  public static PartialSums compute(float[] points, int n, int dim, float[] centroids, int k) {
    return new BoundedAssigner(points, n, dim).assign(centroids, k);
  }

  /** The sums over the union of both shares; neither input is changed. */
  public PartialSums merge(PartialSums other) {
    if (other.k != k || other.dim != dim) {
      throw new IllegalArgumentException(
          "cannot merge partial sums of k="
              + other.k
              + ", dim="
              + other.dim
              + " into k="
              + k
              + ", dim="
              + dim);
    }
    double[] mergedSums = sums.clone();
    for (int i = 0; i < mergedSums.length; i++) {
      mergedSums[i] += other.sums[i];
    }
    long[] mergedCounts = counts.clone();
    for (int j = 0; j < k; j++) {
      mergedCounts[j] += other.counts[j];
    }
    return new PartialSums(k, dim, mergedSums, mergedCounts, objective + other.objective);
  }

  /** Total number of points summed. */
  public long totalCount() {
    return Arrays.stream(counts).sum();
  }
}
