/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

/**
 * Optimisation settings of pre-training.
 *
 * @param batchSize images per forward pass (a micro-batch when {@code accumulate} > 1)
 * @param lr peak learning rate, reached at the end of the warm-up
 * @param minLr value the cosine schedule decays to
 * @param warmupSteps linear warm-up length from 0, in steps
 * @param totalSteps scheduled steps, warm-up included
 * @param weightDecay AdamW decoupled weight decay (constant, as the original pre-training)
 * @param beta1 AdamW first-moment decay
 * @param beta2 AdamW second-moment decay
 * @param eps AdamW denominator epsilon
 * @param clipGrad maximum global gradient norm; 0 disables clipping
 * @param seed seed of the initial weights
 * @param accumulate micro-batches of {@code batchSize} per optimizer step, their gradients summed:
 *     an optimizer step sees batchSize x accumulate images, with one micro-batch's activations in
 *     memory at a time
 */
public record TrainConfig(
    int batchSize,
    double lr,
    double minLr,
    long warmupSteps,
    long totalSteps,
    double weightDecay,
    double beta1,
    double beta2,
    double eps,
    double clipGrad,
    long seed,
    int accumulate)
    implements java.io.Serializable {

  public TrainConfig {
    if (batchSize <= 0 || accumulate <= 0) {
      throw new IllegalArgumentException(
          "batchSize and accumulate must be positive, got " + batchSize + ", " + accumulate);
    }
    if (warmupSteps < 0 || totalSteps < warmupSteps) {
      throw new IllegalArgumentException(
          "expected 0 <= warmupSteps <= totalSteps, got " + warmupSteps + ", " + totalSteps);
    }
    if (!(lr >= 0) || !(minLr >= 0) || !(weightDecay >= 0) || !(clipGrad >= 0)) {
      throw new IllegalArgumentException(
          "lr, minLr, weightDecay and clipGrad must be >= 0, got "
              + lr
              + ", "
              + minLr
              + ", "
              + weightDecay
              + ", "
              + clipGrad);
    }
  }

  /** Without accumulation: one batch of {@code batchSize} per optimizer step. */
  public TrainConfig(
      int batchSize,
      double lr,
      double minLr,
      long warmupSteps,
      long totalSteps,
      double weightDecay,
      double beta1,
      double beta2,
      double eps,
      double clipGrad,
      long seed) {
    this(
        batchSize,
        lr,
        minLr,
        warmupSteps,
        totalSteps,
        weightDecay,
        beta1,
        beta2,
        eps,
        clipGrad,
        seed,
        1);
  }

  /** Images per optimizer step. */
  public int stepBatchSize() {
    return batchSize * accumulate;
  }

  /**
   * The original base pre-training recipe (lr 1.5e-3, min 1e-5, wd 0.05, betas 0.9/0.98, eps 1e-8,
   * clip 3.0), seed 0.
   */
  public static TrainConfig original(int batchSize, long totalSteps, long warmupSteps) {
    return new TrainConfig(
        batchSize, 1.5e-3, 1e-5, warmupSteps, totalSteps, 0.05, 0.9, 0.98, 1e-8, 3.0, 0);
  }
}
