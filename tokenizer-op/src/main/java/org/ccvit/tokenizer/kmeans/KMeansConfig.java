/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.kmeans;

/**
 * Settings of a k-means run, named as faiss's {@code Clustering} names them.
 *
 * @param k number of centroids
 * @param iterations number of assignment/update rounds (faiss {@code niter})
 * @param seed drives subsampling (faiss: {@code seed}) and initialisation (faiss: {@code seed+1})
 * @param maxPointsPerCentroid above {@code k * maxPointsPerCentroid} points, a seeded subsample of
 *     that size is clustered instead
 */
public record KMeansConfig(int k, int iterations, long seed, int maxPointsPerCentroid)
    implements java.io.Serializable {
  public KMeansConfig {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    if (iterations < 0) {
      throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
    }
    if (maxPointsPerCentroid < 1) {
      throw new IllegalArgumentException(
          "maxPointsPerCentroid must be >= 1, got " + maxPointsPerCentroid);
    }
  }

  /**
   * The original CCViT codebook run (spec section 1): 20 iterations, seed 1, and
   * max_points_per_centroid 10,000,000 so that nothing is subsampled.
   */
  public static KMeansConfig original(int k) {
    return new KMeansConfig(k, 20, 1, 10_000_000);
  }

  /** How many points are clustered out of {@code n}: all, or the faiss subsample size. */
  public long trainingSize(long n) {
    return Math.min(n, (long) k * maxPointsPerCentroid);
  }
}
