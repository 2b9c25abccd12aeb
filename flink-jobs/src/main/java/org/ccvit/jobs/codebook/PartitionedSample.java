/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.codebook;

import java.io.Serializable;
import java.util.Arrays;
import org.ccvit.tokenizer.kmeans.KMeans;
import org.ccvit.tokenizer.kmeans.KMeansConfig;

/**
 * How the k-means training points are shared among subtasks: the training rows are those {@link
 * KMeans#fit} clusters (all points in sample order, or faiss's seeded subsample in its order), and
 * partition p holds the contiguous training positions [p*m/P, (p+1)*m/P). Concatenating the
 * partitions in order gives exactly the training set of {@link KMeans#fit}.
 *
 * @param sample all points
 * @param config the k-means settings (subsampling depends on k, seed and max points per centroid)
 * @param partitions number of partitions P, one per subtask
 */
public record PartitionedSample(PatchSample sample, KMeansConfig config, int partitions)
    implements Serializable {
  public PartitionedSample {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    if (sample.size() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "k-means takes at most "
              + Integer.MAX_VALUE
              + " points, the sample has "
              + sample.size());
    }
    if (sample.size() < config.k()) {
      throw new IllegalArgumentException(
          "need at least k=" + config.k() + " points to cluster, the sample has " + sample.size());
    }
  }

  /** Number of training points m. */
  public int trainingSize() {
    return (int) config.trainingSize(sample.size());
  }

  /** Global sample rows of the training points, in training order. */
  public int[] trainingRows() {
    return KMeans.subsampleRows((int) sample.size(), config);
  }

  /** First training position of a partition; {@code start(partitions)} is the training size. */
  public int start(int partition) {
    return (int) ((long) partition * trainingSize() / partitions);
  }

  /**
   * The points of one partition, row-major.
   *
   * @throws IllegalArgumentException if a point has a non-finite value
   */
  public float[] load(int partition) {
    if (partition < 0 || partition >= partitions) {
      throw new IllegalArgumentException(
          "partition " + partition + " is outside [0, " + partitions + ")");
    }
    int[] rows = Arrays.copyOfRange(trainingRows(), start(partition), start(partition + 1));
    float[] points = sample.rows(rows);
    int dim = sample.dim();
    for (int i = 0; i < points.length; i++) {
      if (!Float.isFinite(points[i])) {
        throw new IllegalArgumentException(
            "sample row " + rows[i / dim] + " has a non-finite value at dimension " + i % dim);
      }
    }
    return points;
  }

  /** The initial centroids of {@link KMeans#initialCentroids} on the training points. */
  public float[] initialCentroids() {
    int[] training = trainingRows();
    int[] initial = KMeans.initialRows(training.length, config.k(), config.seed());
    int[] rows = new int[initial.length];
    for (int j = 0; j < initial.length; j++) {
      rows[j] = training[initial[j]];
    }
    return sample.rows(rows);
  }
}
