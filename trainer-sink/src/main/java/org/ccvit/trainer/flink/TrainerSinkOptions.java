/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.flink;

import java.io.Serializable;
import java.nio.file.Path;
import org.ccvit.trainer.TrainConfig;
import org.ccvit.trainer.model.CcvitConfig;

/**
 * What the trainer sink needs: model and optimisation settings, the codebook file it replaces
 * patches from (its version must match the samples'), the directory for weights, metrics and the
 * trainer's checkpoint state, and optionally weights to start from.
 *
 * @param initWeights safetensors file (original names) to start from instead of the seeded
 *     initialisation, or null; ignored when the job restores from a checkpoint or savepoint
 */
public record TrainerSinkOptions(
    CcvitConfig model, TrainConfig train, String codebookPath, String outputDir, String initWeights)
    implements Serializable {

  /** The latest committed (or, at the end of a bounded input, final) weights. */
  public static final String WEIGHTS_FILE = "weights.safetensors";

  public static final String METRICS_FILE = "metrics.csv";

  /** Which samples each optimizer step consumed: see {@link org.ccvit.trainer.TrainedKeysCsv}. */
  public static final String TRAINED_KEYS_FILE = "trained-keys.csv";

  /** Under the output directory: one {@code chk-<checkpoint id>} directory per checkpoint. */
  public static final String STATE_DIR = "trainer-state";

  /** Starts from the seeded initialisation. */
  public TrainerSinkOptions(
      CcvitConfig model, TrainConfig train, String codebookPath, String outputDir) {
    this(model, train, codebookPath, outputDir, null);
  }

  /** Where the trainer state of checkpoint {@code checkpointId} is written. */
  public Path checkpointDir(long checkpointId) {
    return Path.of(outputDir, STATE_DIR, "chk-" + checkpointId).toAbsolutePath();
  }

  Path output(String file) {
    return Path.of(outputDir, file);
  }
}
