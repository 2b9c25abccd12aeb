/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.ccvit.tokenizer.SharedData;
import org.ccvit.tokenizer.codebook.Codebook;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ExactSearchTest {
  @TestFactory
  Stream<DynamicTest> matchesGoldenIdsOnNaturalPatchesAndConstructedTies() {
    return GoldenAssignment.cases().stream()
        .map(
            golden ->
                DynamicTest.dynamicTest(
                    golden.name(),
                    () -> {
                      for (NearestCentroidSearch search :
                          new NearestCentroidSearch[] {
                            new BruteForceSearch(golden.codebook()),
                            new ExactSearch(golden.codebook()),
                            NearestCentroidSearch.exact(golden.codebook())
                          }) {
                        golden.check(search);
                      }
                    }));
  }

  @Test
  void equalsBruteForceOnRealPatches() {
    RealPatches photos = new RealPatches(SharedData.dataset("photos/images"), 6);
    Codebook codebook = new Codebook("real", 300, 8, 3, photos.sample(300, 8, 1));
    float[] points = photos.sample(500, 8, 2);
    // points that equal a centroid exactly, and the codebook's own rows
    System.arraycopy(codebook.centroids(), 17 * 192, points, 0, 192);
    assertArrayEquals(
        new BruteForceSearch(codebook).assign(points, 500),
        new ExactSearch(codebook).assign(points, 500));
    assertEquals(17, new ExactSearch(codebook).assign(points, 1)[0]);
  }

  @Test
  void lowestIndexWinsDuplicatedCentroidsAndMidpoints() {
    // dim 25 and k 37: neither a multiple of the SIMD width nor of the 4x4 tile
    int dim = 25;
    int k = 37;
    SplittableRandom rng = new SplittableRandom(5);
    float[] c = new float[k * dim];
    for (int i = 0; i < c.length; i++) {
      c[i] = rng.nextInt(4097) / 4096f;
    }
    // centroids 30..36 duplicate centroids 3..9 bit for bit
    System.arraycopy(c, 3 * dim, c, 30 * dim, 7 * dim);
    Codebook codebook = new Codebook("dup", k, 5, 1, c);
    int n = 150; // more than one point block, not a multiple of 4
    float[] points = new float[n * dim];
    for (int p = 0; p < n; p++) {
      int a = rng.nextInt(k);
      int b = rng.nextInt(k);
      for (int i = 0; i < dim; i++) {
        points[p * dim + i] =
            p % 3 == 0
                ? c[a * dim + i] // on a centroid
                : p % 3 == 1
                    ? (c[a * dim + i] + c[b * dim + i]) / 2 // an exact midpoint (grid values)
                    : rng.nextFloat();
      }
    }
    int[] expected = new BruteForceSearch(codebook).assign(points, n);
    ExactSearch exact = new ExactSearch(codebook);
    int[] out = new int[n];
    exact.assign(points, n, out);
    assertArrayEquals(expected, out);
    for (int id : expected) {
      assertTrue(id < 30, "a duplicate never beats its lower-index original");
    }
    // the reused buffers give the same answer again
    assertArrayEquals(expected, exact.assign(points, n));
  }

  @Test
  void refusesBadPoints() {
    Codebook codebook = new Codebook("tiny", 2, 1, 3, new float[] {0, 0, 0, 1, 1, 1});
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ExactSearch(codebook).assign(new float[5], 2));
    assertTrue(e.getMessage().contains("dimension 3"), e.getMessage());
    float[] nan = {0, 0, 0, 0, Float.NaN, 0};
    e =
        assertThrows(
            IllegalArgumentException.class, () -> new ExactSearch(codebook).assign(nan, 2));
    assertTrue(e.getMessage().contains("point 1"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> new BruteForceSearch(codebook).assign(nan, 2));
  }
}
