/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.ccvit.jobs.options.WebUiOptions;
import org.ccvit.jobs.pretrain.PretrainJob;
import org.ccvit.jobs.pretrain.PretrainOptions;
import org.ccvit.jobs.report.LossCurvePlot;
import org.ccvit.jobs.report.TrainingLog;
import org.ccvit.trainer.flink.TrainerSinkOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The streaming pre-training job, locally or on a session cluster. */
@Command(
    name = "pretrain",
    mixinStandardHelpOptions = true,
    description =
        "Streaming CCViT pre-training: images from a Kafka topic (or files) are "
            + "decoded, augmented (flip, RandomResizedCrop), tokenized against the codebook, "
            + "masked and replaced, and trained on by a DJL trainer sink. Writes "
            + "weights.safetensors, metrics.csv and (when it ends) loss-curve.png to --out; rejected inputs go to --reject-"
            + "topic or --out/rejects/.")
final class PretrainCommand implements Callable<Integer> {

  @Mixin PretrainOptions options;

  @Mixin ClusterTarget cluster;

  @Mixin WebUiOptions webUi;

  @Override
  public Integer call() throws Exception {
    StreamExecutionEnvironment env =
        PretrainJob.environment(options, cluster.jobManager, webUi.settings(cluster.jobManager));
    JobClient job = PretrainJob.submit(options, env);
    webUi.announce(cluster.jobManager);
    if (cluster.submitOnly()) {
      System.out.println("job=" + job.getJobID());
      return 0;
    }
    job.getJobExecutionResult().get();
    System.out.println("pretrain: weights and metrics in " + options.out);
    drawCurves();
    return 0;
  }

  /** The loss curves (and the kNN monitor's) of a run whose output folder is on this machine. */
  private void drawCurves() throws IOException {
    String out = PretrainJob.outputLocation(options.out);
    if (out.contains("://")) {
      return;
    }
    Path metrics = Path.of(out, TrainerSinkOptions.METRICS_FILE);
    if (Files.exists(metrics)) {
      Path png = metrics.resolveSibling(LossCurvePlot.FILE);
      LossCurvePlot.write(TrainingLog.read(metrics), png);
      System.out.println("pretrain: curves in " + png);
    }
  }
}
