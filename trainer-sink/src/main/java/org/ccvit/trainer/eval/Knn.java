/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Weighted k-nearest-neighbour classification on frozen features, the DINO/iBOT protocol: features
 * L2-normalized, cosine similarity, the k most similar training samples vote for their class with
 * weight exp(similarity / temperature); top-1 and top-5 accuracy of the summed votes.
 */
public final class Knn {

  /** Accuracies in [0, 1]. */
  public record Accuracy(double top1, double top5) {}

  private final int k;
  private final double temperature;

  public Knn(int k, double temperature) {
    if (k < 1 || !(temperature > 0)) {
      throw new IllegalArgumentException(
          "k must be >= 1 and the temperature > 0, got k=" + k + ", T=" + temperature);
    }
    this.k = k;
    this.temperature = temperature;
  }

  /**
   * Classifies every test feature by its neighbours among the training features.
   *
   * @param chunk test rows compared at once (memory: chunk x train floats)
   */
  public Accuracy evaluate(
      float[][] train, int[] trainLabels, float[][] test, int[] testLabels, int chunk) {
    if (train.length != trainLabels.length || test.length != testLabels.length) {
      throw new IllegalArgumentException("one label per feature row");
    }
    int classes = Math.max(max(trainLabels), max(testLabels)) + 1;
    int kk = Math.min(k, train.length);
    long top1 = 0;
    long top5 = 0;
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray bank = normalizedRows(manager, train);
      for (int from = 0; from < test.length; from += chunk) {
        int to = Math.min(test.length, from + chunk);
        try (NDManager batch = manager.newSubManager()) {
          NDArray queries = normalizedRows(batch, java.util.Arrays.copyOfRange(test, from, to));
          NDList top = queries.matMul(bank.transpose()).topK(kk, 1, true, true);
          float[] sims = top.get(0).toFloatArray();
          long[] idx = top.get(1).toLongArray();
          for (int q = 0; q < to - from; q++) {
            double[] votes = new double[classes];
            for (int j = 0; j < kk; j++) {
              votes[trainLabels[(int) idx[q * kk + j]]] += Math.exp(sims[q * kk + j] / temperature);
            }
            int rank = rankOf(votes, testLabels[from + q]);
            top1 += rank == 0 ? 1 : 0;
            top5 += rank < 5 ? 1 : 0;
          }
        }
      }
    }
    return new Accuracy((double) top1 / test.length, (double) top5 / test.length);
  }

  /**
   * How many classes have more votes than the true class (ties counted against it, so a vote of
   * zeros never counts as right).
   */
  static int rankOf(double[] votes, int truth) {
    int rank = 0;
    for (int c = 0; c < votes.length; c++) {
      if (c != truth && votes[c] >= votes[truth]) {
        rank++;
      }
    }
    return rank;
  }

  private static NDArray normalizedRows(NDManager manager, float[][] rows) {
    int d = rows[0].length;
    float[] flat = new float[rows.length * d];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, flat, i * d, d);
    }
    NDArray x = manager.create(flat, new Shape(rows.length, d));
    return x.div(x.norm(new int[] {1}, true).maximum(1e-12f));
  }

  private static int max(int[] labels) {
    return java.util.stream.IntStream.of(labels).max().orElse(0);
  }
}
