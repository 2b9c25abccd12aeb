/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How mixed the classes of consecutive batches are: the mean over batches of each batch's label
 * entropy (nats), against the same statistic for uniform draws (the labels in a uniformly random
 * order, cut into batches the same way). A class-sorted stream trained in arrival order scores near
 * 0; a shuffled one near the uniform draw's mean.
 */
public final class LabelMixing {

  private LabelMixing() {}

  /**
   * The statistic for uniform draws: mean and standard deviation over seeded random permutations.
   */
  public record Uniform(double mean, double sd, int trials) {
    /** {@code z} standard deviations below the mean (one-sided). */
    public double lowerBound(double z) {
      return mean - z * sd;
    }
  }

  /** Mean label entropy of the batches {@code labels} (in training order) cut into. */
  public static double meanBatchEntropy(int[] labels, int batchSize) {
    double sum = 0;
    int batches = 0;
    for (int start = 0; start < labels.length; start += batchSize) {
      int end = Math.min(labels.length, start + batchSize);
      Map<Integer, Integer> counts = new HashMap<>();
      for (int i = start; i < end; i++) {
        counts.merge(labels[i], 1, Integer::sum);
      }
      double entropy = 0;
      for (int c : counts.values()) {
        double p = (double) c / (end - start);
        entropy -= p * Math.log(p);
      }
      sum += entropy;
      batches++;
    }
    return batches == 0 ? 0 : sum / batches;
  }

  /** The statistic over {@code trials} uniformly random orders of the same labels. */
  public static Uniform uniform(int[] labels, int batchSize, int trials, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] order = labels.clone();
    double sum = 0;
    double sumSquares = 0;
    for (int t = 0; t < trials; t++) {
      for (int i = order.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int swap = order[i];
        order[i] = order[j];
        order[j] = swap;
      }
      double h = meanBatchEntropy(order, batchSize);
      sum += h;
      sumSquares += h * h;
    }
    double mean = sum / trials;
    return new Uniform(mean, Math.sqrt(Math.max(0, sumSquares / trials - mean * mean)), trials);
  }
}
