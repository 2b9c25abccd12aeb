/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.search;

import java.nio.file.Path;
import java.util.Arrays;
import org.ccvit.tokenizer.codebook.Codebook;

/**
 * Compares the searches on 64 images' worth of natural 16x16 patches against a K=8192 codebook of
 * natural patches. Run: {@code java --add-modules jdk.incubator.vector -cp ...
 * org.ccvit.tokenizer.search.SearchBenchmark [datasetsDir]}.
 */
public final class SearchBenchmark {
  private static final int PATCHES_PER_IMAGE = 196;

  private SearchBenchmark() {}

  public static void main(String[] args) {
    Path datasets =
        Path.of(
            args.length > 0
                ? args[0]
                : System.getProperty("ccvit.datasets.dir", "../shared/datasets"));
    RealPatches photos = new RealPatches(datasets.resolve("photos/images"), 12);
    Codebook codebook = new Codebook("bench", 8192, 16, 3, photos.sample(8192, 16, 1));
    int images = 64;
    int slowImages = 4;
    float[] points = photos.sample(images * PATCHES_PER_IMAGE, 16, 2);
    int n = images * PATCHES_PER_IMAGE;
    int slowN = slowImages * PATCHES_PER_IMAGE;

    ExactSearch exact = new ExactSearch(codebook);
    int[] exactIds = new int[n];
    double exactSeconds = best(3, () -> exact.assign(points, n, exactIds));

    int[][] floatIds = new int[1][];
    double floatSeconds = best(2, () -> floatIds[0] = plainFloatLoop(codebook, points, slowN));

    int[][] bruteIds = new int[1][];
    BruteForceSearch brute = new BruteForceSearch(codebook);
    double bruteSeconds = best(2, () -> bruteIds[0] = brute.assign(points, slowN));

    double exactRate = images / exactSeconds;
    double floatRate = slowImages / floatSeconds;
    double bruteRate = slowImages / bruteSeconds;
    System.out.printf(
        "K=8192, dim=768, %d images (%d patches) for ExactSearch, %d images for the others%n",
        images, n, slowImages);
    System.out.printf("ExactSearch       %8.2f images/s%n", exactRate);
    System.out.printf(
        "plain float loop  %8.2f images/s  (ExactSearch is %.1fx faster)%n",
        floatRate, exactRate / floatRate);
    System.out.printf(
        "BruteForceSearch  %8.2f images/s  (ExactSearch is %.1fx faster)%n",
        bruteRate, exactRate / bruteRate);
    int[] exactSlow = Arrays.copyOf(exactIds, slowN);
    System.out.printf(
        "ids ExactSearch == BruteForceSearch on %d patches: %b%n",
        slowN, Arrays.equals(exactSlow, bruteIds[0]));
    int agree = 0;
    for (int i = 0; i < slowN; i++) {
      agree += exactSlow[i] == floatIds[0][i] ? 1 : 0;
    }
    System.out.printf("plain float32 loop agrees on %d of %d patches%n", agree, slowN);
  }

  /** The textbook float32 search: argmin of ||c||^2 - 2 x.c with scalar loops (as faiss's fp32). */
  private static int[] plainFloatLoop(Codebook codebook, float[] points, int n) {
    int dim = codebook.dim();
    float[] c = codebook.centroids();
    float[] norms = new float[codebook.k()];
    for (int k = 0; k < codebook.k(); k++) {
      for (int i = 0; i < dim; i++) {
        norms[k] += c[k * dim + i] * c[k * dim + i];
      }
    }
    int[] ids = new int[n];
    for (int p = 0; p < n; p++) {
      float best = Float.POSITIVE_INFINITY;
      for (int k = 0; k < codebook.k(); k++) {
        float dot = 0;
        for (int i = 0; i < dim; i++) {
          dot += points[p * dim + i] * c[k * dim + i];
        }
        float score = norms[k] - 2 * dot;
        if (score < best) {
          best = score;
          ids[p] = k;
        }
      }
    }
    return ids;
  }

  private static double best(int repeats, Runnable run) {
    double best = Double.MAX_VALUE;
    for (int r = 0; r < repeats; r++) {
      long start = System.nanoTime();
      run.run();
      best = Math.min(best, (System.nanoTime() - start) / 1e9);
    }
    return best;
  }
}
