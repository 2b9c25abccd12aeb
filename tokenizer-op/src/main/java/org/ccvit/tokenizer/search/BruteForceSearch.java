/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.search;

import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.linalg.SquaredDistance;

/**
 * The reference search: every float64 squared distance, lowest index on exact ties. Slow; for tests
 * and as the baseline of benchmarks. Thread-safe.
 */
public final class BruteForceSearch implements NearestCentroidSearch {
  private final Codebook codebook;

  public BruteForceSearch(Codebook codebook) {
    this.codebook = codebook;
  }

  @Override
  public void assign(float[] points, int n, int[] ids) {
    int dim = codebook.dim();
    NearestCentroidSearch.checkPoints(points, n, dim);
    float[] centroids = codebook.centroids();
    for (int i = 0; i < n; i++) {
      double best = Double.POSITIVE_INFINITY;
      int bestId = 0;
      for (int k = 0; k < codebook.k(); k++) {
        double d = SquaredDistance.reference(points, i * dim, centroids, k * dim, dim);
        if (d < best) {
          best = d;
          bestId = k;
        }
      }
      if (best == Double.POSITIVE_INFINITY) {
        throw new IllegalArgumentException("point " + i + " holds a NaN or infinite value");
      }
      ids[i] = bestId;
    }
  }
}
