/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.options;

import org.ccvit.trainer.TrainConfig;
import picocli.CommandLine.Option;

/**
 * Pre-training's optimisation settings, shared by pretrain and demo; sizes are {@link
 * ModelOptions}.
 */
public final class TrainingOptions {

  @Option(
      names = "--batch-size",
      defaultValue = "16",
      description = "Samples per optimizer step (default: ${DEFAULT-VALUE}).")
  public int batchSize;

  @Option(
      names = "--accumulate",
      defaultValue = "1",
      description =
          "Micro-batches of --batch-size per optimizer step, gradients summed: the step sees"
              + " batch-size x accumulate images (default: ${DEFAULT-VALUE}).")
  public int accumulate = 1;

  @Option(
      names = "--lr",
      defaultValue = "1.5e-3",
      description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
  public double lr;

  @Option(
      names = "--min-lr",
      defaultValue = "1e-5",
      description = "Final learning rate of the cosine (default: ${DEFAULT-VALUE}).")
  public double minLr;

  @Option(
      names = "--warmup-steps",
      defaultValue = "10",
      description = "Linear warm-up steps from 0 (default: ${DEFAULT-VALUE}).")
  public long warmupSteps;

  @Option(
      names = "--total-steps",
      defaultValue = "1000",
      description =
          "Steps of the cosine schedule; afterwards the rate stays at --min-lr (default: ${DEFAULT-VALUE}).")
  public long totalSteps;

  @Option(
      names = "--weight-decay",
      defaultValue = "0.05",
      description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
  public double weightDecay;

  @Option(
      names = "--clip-grad",
      defaultValue = "3.0",
      description = "Global gradient-norm clip, 0 = off (default: ${DEFAULT-VALUE}).")
  public double clipGrad;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description =
          "Run seed: model init and every crop, flip, mask and replacement (default: ${DEFAULT-VALUE}).")
  public long seed;

  public TrainConfig train() {
    return new TrainConfig(
        batchSize,
        lr,
        minLr,
        warmupSteps,
        totalSteps,
        weightDecay,
        0.9,
        0.98,
        1e-8,
        clipGrad,
        seed,
        accumulate);
  }
}
