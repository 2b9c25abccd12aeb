/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.kmeans;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.ccvit.tokenizer.linalg.SquaredDistance;
import org.junit.jupiter.api.Test;

class BoundedAssignerTest {

  /** Exact float64 argmin with the lowest index on ties, the reference for every assignment. */
  private static int[] bruteForce(float[] points, int n, int dim, float[] centroids, int k) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      double best = Double.POSITIVE_INFINITY;
      for (int j = 0; j < k; j++) {
        double d = SquaredDistance.reference(points, i * dim, centroids, j * dim, dim);
        if (d < best) {
          best = d;
          ids[i] = j;
        }
      }
    }
    return ids;
  }

  @Test
  void staysExactWhileCentroidsMove() {
    int n = 3000;
    int dim = 40;
    int k = 70; // not a multiple of the kernel's panel width
    SplittableRandom random = new SplittableRandom(2);
    float[] points = new float[n * dim];
    for (int i = 0; i < points.length; i++) {
      points[i] = (float) random.nextDouble();
    }
    float[] centroids = KMeans.initialCentroids(points, n, dim, k, 1);
    BoundedAssigner assigner = new BoundedAssigner(points, n, dim);
    for (int round = 0; round < 6; round++) {
      PartialSums sums = assigner.assign(centroids, k);
      assertArrayEquals(bruteForce(points, n, dim, centroids, k), assigner.assignment());
      assertEquals(n, sums.totalCount());
      centroids = KMeans.update(centroids, sums, k, dim, new SplittableRandom(round)).centroids();
    }
  }

  @Test
  void tiesGoToTheLowestIndex() {
    int dim = 3;
    float[] points = {0, 0, 0, 1, 1, 1};
    // Both points are equally far from centroids 1, 2 and 3, and farther from centroid 0.
    float[] centroids = {2, 2, 2, 1, 0, 0, 0, 1, 0, 0, 0, 1};
    BoundedAssigner assigner = new BoundedAssigner(points, 2, dim);
    assigner.assign(centroids, 4);
    assertArrayEquals(new int[] {1, 1}, assigner.assignment());
  }
}
