/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.ccvit.tokenizer.SharedData;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.kmeans.ImagenettePatches;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class PrunedExactSearchTest {

  private static void assertSameAsBruteForce(Codebook codebook, float[] points, int n) {
    int[] expected = new BruteForceSearch(codebook).assign(points, n);
    PrunedExactSearch search = new PrunedExactSearch(codebook);
    assertArrayEquals(expected, search.assign(points, n), "K=" + codebook.k());
    // reused buffers give the same answer again, through the output-array form too
    int[] out = new int[n];
    search.assign(points, n, out);
    assertArrayEquals(expected, out);
  }

  @Test
  void isTheDefaultExactSearch() {
    Codebook codebook = new Codebook("one", 1, 1, 3, new float[] {0.5f, 0.5f, 0.5f});
    assertInstanceOf(PrunedExactSearch.class, NearestCentroidSearch.exact(codebook));
  }

  @TestFactory
  Stream<DynamicTest> matchesGoldenIdsAndTies() {
    return GoldenAssignment.cases().stream()
        .map(
            golden ->
                DynamicTest.dynamicTest(
                    golden.name(), () -> golden.check(new PrunedExactSearch(golden.codebook()))));
  }

  @Test
  void equalsBruteForceOnPhotoPatchesForSeveralK() {
    RealPatches photos = new RealPatches(SharedData.dataset("photos/images"), 8);
    float[] points = photos.sample(400, 16, 7);
    for (int k : new int[] {1, 2, 17, 63, 64, 65, 700}) {
      float[] centroids = photos.sample(k, 16, 100 + k);
      // a point that is exactly a centroid
      System.arraycopy(centroids, (k / 2) * 768, points, 0, 768);
      assertSameAsBruteForce(new Codebook("photos" + k, k, 16, 3, centroids), points, 400);
    }
  }

  @Test
  void equalsBruteForceOnImagenetteWithK8192AndPrunesHard() throws IOException {
    Path shard = SharedData.dataset(ImagenettePatches.TRAIN_SHARD);
    int k = 8192;
    int n = 196; // one image's worth of held-out patches
    float[] patches = ImagenettePatches.read(shard, k + n);
    // distinct real patches as the codebook, in a seeded order, and the rest as queries
    int[] order = shuffled(k + n, 11);
    float[] centroids = new float[k * 768];
    float[] points = new float[n * 768];
    for (int i = 0; i < k + n; i++) {
      if (i < k) {
        System.arraycopy(patches, order[i] * 768, centroids, i * 768, 768);
      } else {
        System.arraycopy(patches, order[i] * 768, points, (i - k) * 768, 768);
      }
    }
    Codebook codebook = new Codebook("imagenette", k, 16, 3, centroids);
    int[] expected = new BruteForceSearch(codebook).assign(points, n);
    PrunedExactSearch search = new PrunedExactSearch(codebook);
    assertArrayEquals(expected, search.assign(points, n));
    double perPoint = (double) search.fullDistances() / search.pointsSearched();
    assertTrue(perPoint < 100, "full distances per point: " + perPoint + " of " + k);
  }

  @Test
  void lowestIndexWinsAmongDuplicatesAndExactMidpoints() {
    int dim = 48; // patch 4: fewer dimensions than the fine subspace rank
    int k = 40;
    SplittableRandom rng = new SplittableRandom(3);
    float[] c = new float[k * dim];
    for (int i = 0; i < c.length; i++) {
      c[i] = rng.nextInt(4097) / 4096f;
    }
    System.arraycopy(c, 2 * dim, c, 30 * dim, 10 * dim); // 30..39 duplicate 2..11
    Codebook codebook = new Codebook("dup", k, 4, 3, c);
    int n = 150;
    float[] points = new float[n * dim];
    for (int p = 0; p < n; p++) {
      int a = rng.nextInt(k);
      int b = rng.nextInt(k);
      for (int i = 0; i < dim; i++) {
        points[p * dim + i] =
            p % 3 == 0
                ? c[a * dim + i]
                : p % 3 == 1 ? (c[a * dim + i] + c[b * dim + i]) / 2 : rng.nextFloat();
      }
    }
    assertSameAsBruteForce(codebook, points, n);
    for (int id : new PrunedExactSearch(codebook).assign(points, n)) {
      assertTrue(id < 30, "a duplicate never beats its lower-index original");
    }
  }

  @Test
  void handlesFewCentroidsConstantPatchesAndTinyDimensions() {
    SplittableRandom rng = new SplittableRandom(9);
    // K smaller than the subspace rank, with constant centroids and constant points
    int dim = 768;
    int k = 5;
    float[] c = new float[k * dim];
    for (int j = 0; j < k; j++) {
      Arrays.fill(c, j * dim, (j + 1) * dim, j / 4f);
    }
    int n = 37;
    float[] points = new float[n * dim];
    for (int p = 0; p < n; p++) {
      for (int i = 0; i < dim; i++) {
        points[p * dim + i] = p % 2 == 0 ? p / (float) n : rng.nextFloat();
      }
    }
    assertSameAsBruteForce(new Codebook("constant", k, 16, 3, c), points, n);
    // every centroid the same: id 0 everywhere
    assertArrayEquals(
        new int[n],
        new PrunedExactSearch(new Codebook("same", 3, 16, 3, new float[3 * dim]))
            .assign(points, n));
    // dim 3 (patch 1): the subspace is the whole space
    float[] tiny = new float[30];
    for (int i = 0; i < tiny.length; i++) {
      tiny[i] = rng.nextInt(8) / 8f;
    }
    float[] tinyPoints = new float[60];
    for (int i = 0; i < tinyPoints.length; i++) {
      tinyPoints[i] = rng.nextInt(16) / 16f;
    }
    assertSameAsBruteForce(new Codebook("tiny", 10, 1, 3, tiny), tinyPoints, 20);
  }

  @Test
  void fallsBackToTheReferenceForHugeValues() {
    SplittableRandom rng = new SplittableRandom(4);
    float[] c = new float[20 * 12];
    for (int i = 0; i < c.length; i++) {
      c[i] = rng.nextFloat();
    }
    float[] points = new float[6 * 12];
    for (int i = 0; i < points.length; i++) {
      points[i] = (i / 12) % 2 == 0 ? rng.nextFloat() * 3e19f : rng.nextFloat();
    }
    assertSameAsBruteForce(new Codebook("small", 20, 2, 3, c), points, 6);
    float[] huge = c.clone();
    huge[5] = 1e30f;
    assertSameAsBruteForce(new Codebook("huge", 20, 2, 3, huge), points, 6);
  }

  @Test
  void refusesBadPoints() {
    Codebook codebook = new Codebook("tiny", 2, 1, 3, new float[] {0, 0, 0, 1, 1, 1});
    PrunedExactSearch search = new PrunedExactSearch(codebook);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> search.assign(new float[5], 2));
    assertTrue(e.getMessage().contains("dimension 3"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> search.assign(new float[] {0, 0, 0, 0, Float.NaN, 0}, 2));
    assertTrue(e.getMessage().contains("point 1"), e.getMessage());
  }

  @Test
  void threadsShareOnePreparedCodebook() throws Exception {
    RealPatches photos = new RealPatches(SharedData.dataset("photos/images"), 4);
    Codebook codebook = new Codebook("shared", 300, 8, 3, photos.sample(300, 8, 21));
    float[] points = photos.sample(500, 8, 22);
    int[] expected = new BruteForceSearch(codebook).assign(points, 500);
    ProjectedCodebook prepared = ProjectedCodebook.of(codebook);
    int[][] results = new int[2][];
    Thread[] threads = new Thread[2];
    for (int t = 0; t < 2; t++) {
      int slot = t;
      threads[t] =
          new Thread(() -> results[slot] = new PrunedExactSearch(prepared).assign(points, 500));
      threads[t].start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertArrayEquals(expected, results[0]);
    assertArrayEquals(expected, results[1]);
    assertEquals(codebook, new PrunedExactSearch(prepared).codebook());
  }

  private static int[] shuffled(int n, long seed) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
