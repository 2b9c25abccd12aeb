/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.kmeans;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KMeansTest {

  private static float[] gaussianPoints(int n, int dim, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] points = new float[n * dim];
    for (int i = 0; i < points.length; i++) {
      points[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return points;
  }

  @Test
  void permutationMatchesFaissRandPerm() {
    // Values printed by faiss 1.7.3: faiss.rand_perm(p, 10, 2) and rand_perm(p, 100000, 2)[:8].
    assertArrayEquals(
        new int[] {8, 7, 1, 5, 6, 9, 0, 4, 2, 3}, SeededPermutation.prefix(10, 10, 2));
    assertArrayEquals(
        new int[] {83848, 29437, 54529, 57577, 76794, 75514, 7636, 27269},
        SeededPermutation.prefix(100_000, 8, 2));
  }

  @Test
  void initialCentroidsAreDistinctPointsChosenDeterministically() {
    int n = 500;
    int dim = 3;
    float[] points = new float[n * dim];
    for (int i = 0; i < n; i++) {
      points[i * dim] = i; // row i is identifiable by its first coordinate
    }
    float[] init = KMeans.initialCentroids(points, n, dim, 50, 1);
    assertArrayEquals(init, KMeans.initialCentroids(points, n, dim, 50, 1));
    int[] expected = SeededPermutation.prefix(n, 50, 2); // faiss draws with seed + 1
    Set<Integer> chosen = new HashSet<>();
    for (int j = 0; j < 50; j++) {
      int row = (int) init[j * dim];
      assertEquals(expected[j], row);
      assertTrue(chosen.add(row), "row chosen twice: " + row);
    }
    assertTrue(!java.util.Arrays.equals(init, KMeans.initialCentroids(points, n, dim, 50, 7)));
  }

  @Test
  void separatesTwoWellSeparatedClusters() {
    int dim = 4;
    int perCluster = 40;
    SplittableRandom random = new SplittableRandom(3);
    float[] points = new float[2 * perCluster * dim];
    for (int i = 0; i < 2 * perCluster; i++) {
      float centre = i < perCluster ? -5 : 5;
      for (int d = 0; d < dim; d++) {
        points[i * dim + d] = centre + (float) (random.nextDouble() - 0.5);
      }
    }
    KMeansResult result =
        new KMeans(new KMeansConfig(2, 10, 1, 256)).fit(points, 2 * perCluster, dim, null);
    double[] means = {0, 0};
    for (int j = 0; j < 2; j++) {
      for (int d = 0; d < dim; d++) {
        means[j] += result.centroids()[j * dim + d] / dim;
      }
    }
    java.util.Arrays.sort(means);
    assertEquals(-5, means[0], 0.2);
    assertEquals(5, means[1], 0.2);
    // Expected objective: each point's squared distance to its own cluster's mean.
    double expected = 0;
    for (int half = 0; half < 2; half++) {
      double[] mean = new double[dim];
      for (int i = half * perCluster; i < (half + 1) * perCluster; i++) {
        for (int d = 0; d < dim; d++) {
          mean[d] += points[i * dim + d] / (double) perCluster;
        }
      }
      for (int i = half * perCluster; i < (half + 1) * perCluster; i++) {
        for (int d = 0; d < dim; d++) {
          double e = points[i * dim + d] - mean[d];
          expected += e * e;
        }
      }
    }
    assertEquals(expected, result.objective(), 1e-3 * expected);
  }

  @Test
  void splittingLeavesNoEmptyClusterAndKeepsTheTotalCount() {
    int k = 6;
    int dim = 4;
    double[] sums = new double[k * dim];
    long[] counts = {0, 10, 0, 3, 0, 1};
    for (int j = 0; j < k; j++) {
      for (int d = 0; d < dim; d++) {
        sums[j * dim + d] = counts[j] * (j + 1.0 + d);
      }
    }
    PartialSums total = new PartialSums(k, dim, sums, counts, 0);
    CentroidUpdate update =
        KMeans.update(new float[k * dim], total, k, dim, new SplittableRandom(5));
    assertEquals(3, update.emptyClustersSplit());
    assertEquals(14, java.util.Arrays.stream(update.clusterSizes()).sum());
    for (long size : update.clusterSizes()) {
      assertTrue(size > 0);
    }
    assertEquals(1, update.clusterSizes()[5]); // a single point can never be split
    assertEquals(8f, update.centroids()[5 * dim + 2]); // a non-empty cluster's mean
  }

  @Test
  void splitCopyIsTheSourcePerturbedInOppositeDirections() {
    int dim = 4;
    double[] sums = {0, 0, 0, 0, 10, 20, 30, 40};
    PartialSums total = new PartialSums(2, dim, sums, new long[] {0, 10}, 0);
    CentroidUpdate update =
        KMeans.update(new float[2 * dim], total, 2, dim, new SplittableRandom(9));
    float[] c = update.centroids();
    double up = 1 + 1.0 / 1024;
    double down = 1 - 1.0 / 1024;
    assertArrayEquals(
        new float[] {
          (float) (1 * up), (float) (2 * down), (float) (3 * up), (float) (4 * down),
          (float) (1 * down), (float) (2 * up), (float) (3 * down), (float) (4 * up)
        },
        c);
    assertArrayEquals(new long[] {5, 5}, update.clusterSizes());
  }

  @Test
  void mergedPartialSumsEqualSumsOverTheUnion() {
    int n = 300;
    int dim = 5;
    int k = 7;
    float[] points = gaussianPoints(n, dim, 11);
    float[] centroids = KMeans.initialCentroids(points, n, dim, k, 1);
    int split = 130;
    float[] first = java.util.Arrays.copyOf(points, split * dim);
    float[] second = java.util.Arrays.copyOfRange(points, split * dim, n * dim);
    PartialSums merged =
        PartialSums.compute(first, split, dim, centroids, k)
            .merge(PartialSums.compute(second, n - split, dim, centroids, k));
    PartialSums whole = PartialSums.compute(points, n, dim, centroids, k);
    assertArrayEquals(whole.counts, merged.counts);
    assertArrayEquals(whole.sums, merged.sums, 1e-9);
    assertEquals(whole.objective, merged.objective, 1e-9);
    assertEquals(n, merged.totalCount());
  }

  @Test
  void fitIsTheLoopOverThePieces() {
    int n = 400;
    int dim = 6;
    int k = 9;
    float[] points = gaussianPoints(n, dim, 21);
    KMeansConfig config = new KMeansConfig(k, 6, 4, 10_000);
    List<IterationStats> seen = new ArrayList<>();
    KMeansResult result = new KMeans(config).fit(points, n, dim, seen::add);

    float[] centroids = KMeans.initialCentroids(points, n, dim, k, config.seed());
    SplittableRandom rng = new SplittableRandom(config.seed());
    for (int it = 0; it < config.iterations(); it++) {
      PartialSums sums = PartialSums.compute(points, n, dim, centroids, k);
      assertEquals(sums.objective, result.iterations().get(it).objective(), 1e-9);
      centroids = KMeans.update(centroids, sums, k, dim, rng).centroids();
    }
    assertArrayEquals(centroids, result.centroids());
    assertEquals(result.iterations(), seen);
    assertEquals(config.iterations(), seen.size());
  }

  @Test
  void subsamplesAboveMaxPointsPerCentroid() {
    int n = 200;
    int dim = 2;
    float[] points = gaussianPoints(n, dim, 8);
    KMeansResult result = new KMeans(new KMeansConfig(4, 0, 1, 10)).fit(points, n, dim, null);
    // Zero iterations: the centroids are the initial pick from the 40-point subsample.
    int[] sample = SeededPermutation.prefix(n, 40, 1);
    int[] init = SeededPermutation.prefix(40, 4, 2);
    for (int j = 0; j < 4; j++) {
      int row = sample[init[j]];
      assertEquals(points[row * dim], result.centroids()[j * dim]);
      assertEquals(points[row * dim + 1], result.centroids()[j * dim + 1]);
    }
  }

  @Test
  void rejectsBadInput() {
    KMeans kMeans = new KMeans(new KMeansConfig(5, 1, 1, 256));
    IllegalArgumentException tooFew =
        assertThrows(IllegalArgumentException.class, () -> kMeans.fit(new float[8], 4, 2, null));
    assertTrue(tooFew.getMessage().contains("at least k=5"));
    float[] withNan = new float[20];
    withNan[7] = Float.NaN;
    IllegalArgumentException nan =
        assertThrows(IllegalArgumentException.class, () -> kMeans.fit(withNan, 10, 2, null));
    assertTrue(nan.getMessage().contains("point 3"));
    assertThrows(IllegalArgumentException.class, () -> new KMeansConfig(0, 1, 1, 1));
  }
}
