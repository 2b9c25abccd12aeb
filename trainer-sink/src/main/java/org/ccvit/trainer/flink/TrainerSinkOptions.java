/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.flink;

import java.io.Serializable;
import org.ccvit.trainer.TrainConfig;
import org.ccvit.trainer.model.CcvitConfig;

/**
 * What the trainer sink needs: model and optimisation settings, the codebook file it replaces
 * patches from (its version must match the samples'), and the directory for weights and metrics.
 */
public record TrainerSinkOptions(
    CcvitConfig model, TrainConfig train, String codebookPath, String outputDir)
    implements Serializable {

  public static final String WEIGHTS_FILE = "weights.safetensors";
  public static final String METRICS_FILE = "metrics.csv";
}
