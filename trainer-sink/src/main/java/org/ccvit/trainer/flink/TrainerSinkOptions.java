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
