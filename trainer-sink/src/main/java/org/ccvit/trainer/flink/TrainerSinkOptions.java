/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.flink;

import java.io.Serializable;
import java.nio.file.Path;
import org.ccvit.trainer.ShuffleConfig;
import org.ccvit.trainer.TrainConfig;
import org.ccvit.trainer.eval.KnnMonitor;
import org.ccvit.trainer.model.CcvitConfig;

/**
 * What the trainer sink needs: model and optimisation settings, the directory for weights and
 * metrics, and optionally weights to start from. Codebooks come in the input stream (see {@link
 * TrainerFeed}); the trainer's state goes into Flink's checkpoints.
 *
 * @param outputDir a local (or mounted) directory, shared by the machines the trainer may run on
 * @param initWeights safetensors file (original names) to start from instead of the seeded
 *     initialisation, or null; ignored when the job restores from a checkpoint or savepoint
 * @param shuffle the shuffle buffer in front of the batches
 * @param monitor the online k-NN monitor's settings, or null
 */
public record TrainerSinkOptions(
    CcvitConfig model,
    TrainConfig train,
    String outputDir,
    String initWeights,
    ShuffleConfig shuffle,
    KnnMonitor.Settings monitor)
    implements Serializable {

  /**
   * The weights of the latest committed checkpoint, or of the last step at the end of a bounded
   * input; {@value #WEIGHTS_STEP_FILE} names their step.
   */
  public static final String WEIGHTS_FILE = "weights.safetensors";

  /** The step of {@value #WEIGHTS_FILE}, as a decimal number. */
  public static final String WEIGHTS_STEP_FILE = "weights.step";

  public static final String METRICS_FILE = "metrics.csv";

  /** Which samples each optimizer step consumed: see {@link org.ccvit.trainer.TrainedKeysCsv}. */
  public static final String TRAINED_KEYS_FILE = "trained-keys.csv";

  /** Under the output directory: weights of checkpoints that have not completed yet. */
  public static final String PENDING_DIR = "trainer-pending";

  /** Starts from the seeded initialisation. */
  public TrainerSinkOptions(CcvitConfig model, TrainConfig train, String outputDir) {
    this(model, train, outputDir, null);
  }

  /** Trains samples in arrival order, without the online k-NN monitor. */
  public TrainerSinkOptions(
      CcvitConfig model, TrainConfig train, String outputDir, String initWeights) {
    this(model, train, outputDir, initWeights, ShuffleConfig.OFF, null);
  }

  /** These options with another shuffle buffer. */
  public TrainerSinkOptions withShuffle(ShuffleConfig buffer) {
    return new TrainerSinkOptions(model, train, outputDir, initWeights, buffer, monitor);
  }

  /** These options with the online k-NN monitor (null: none). */
  public TrainerSinkOptions withMonitor(KnnMonitor.Settings settings) {
    return new TrainerSinkOptions(model, train, outputDir, initWeights, shuffle, settings);
  }

  /** Where the weights of checkpoint {@code checkpointId} wait for it to complete. */
  Path pendingWeights(long checkpointId) {
    return pendingDir().resolve("chk-" + checkpointId + ".safetensors");
  }

  Path pendingDir() {
    return Path.of(outputDir, PENDING_DIR).toAbsolutePath();
  }

  Path output(String file) {
    return Path.of(outputDir, file).toAbsolutePath();
  }
}
