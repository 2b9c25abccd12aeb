/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.ccvit.infra.EmbeddedKafka;
import org.ccvit.jobs.codebook.CodebookJob;
import org.ccvit.jobs.codebook.CodebookOptions;
import org.ccvit.jobs.kafka.KafkaPublisher;
import org.ccvit.jobs.kafka.KafkaSettings;
import org.ccvit.jobs.options.ModelOptions;
import org.ccvit.jobs.options.TrainingOptions;
import org.ccvit.jobs.options.WebUiOptions;
import org.ccvit.jobs.pretrain.PretrainJob;
import org.ccvit.jobs.pretrain.PretrainOptions;
import org.ccvit.jobs.report.LossCurvePlot;
import org.ccvit.jobs.report.TrainingLog;
import org.ccvit.trainer.flink.TrainerSinkOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Everything locally: in-process Kafka, ingest, codebook job, streaming pre-training, a plot. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Run the whole system locally: start an in-process Kafka broker, ingest images "
            + "into a topic, build a small codebook with the bounded Flink job (published to "
            + "a codebook topic), run a short streaming pre-training on a Flink MiniCluster "
            + "with the CPU trainer, and leave codebook, weights, metrics.csv and loss-"
            + "curve.png in --out.")
final class DemoCommand implements Callable<Integer> {

  private static final String IMAGES_TOPIC = "ccvit-images";
  private static final String CODEBOOKS_TOPIC = "ccvit-codebooks";
  private static final String REJECTS_TOPIC = "ccvit-rejects";

  @Option(
      names = "--out",
      defaultValue = "target/demo",
      description = "Output directory (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--images",
      arity = "1..*",
      description =
          "Image folders, files or shards (default: the photos in"
              + " ${sys:ccvit.shared.dir}/datasets/photos, or without them 36 synthetic images"
              + " drawn into --out).")
  List<Path> images;

  @Option(
      names = "--passes",
      defaultValue = "48",
      description =
          "Times the images are ingested; each pass is one epoch (default: ${DEFAULT-VALUE}).")
  int passes;

  @Option(
      names = "--k",
      defaultValue = "256",
      description = "Codebook size for the demo (default: ${DEFAULT-VALUE}; the paper uses 8192).")
  int k;

  @Option(
      names = "--parallelism",
      defaultValue = "2",
      description = "Flink parallelism (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Mixin ModelOptions modelOptions;

  @Mixin TrainingOptions training;

  @Mixin WebUiOptions webUi;

  @Override
  public Integer call() throws Exception {
    long start = System.nanoTime();
    List<Path> inputs =
        images != null
            ? images
            : List.of(
                DemoImages.defaultImages(
                    Path.of(System.getProperty("ccvit.shared.dir", "../shared")), out));
    Files.createDirectories(out);
    Path codebookFile = out.resolve("centroids.npy");
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      System.out.println("demo: Kafka broker at " + kafka.bootstrapServers());
      kafka.createTopics(parallelism, IMAGES_TOPIC, REJECTS_TOPIC);
      kafka.createTopics(1, CODEBOOKS_TOPIC);

      long sent;
      try (KafkaPublisher publisher =
          new KafkaPublisher(new KafkaSettings(kafka.bootstrapServers()))) {
        sent =
            publisher
                .publishImages(
                    inputs,
                    IMAGES_TOPIC,
                    passes,
                    0,
                    new KafkaPublisher.RecordLimit(
                        EmbeddedKafka.MAX_MESSAGE_BYTES, KafkaPublisher.Oversize.REFUSE))
                .sent();
      }
      System.out.printf("demo: %d records sent to %s%n", sent, IMAGES_TOPIC);

      CodebookOptions codebook = new CodebookOptions();
      codebook.images = inputs;
      codebook.out = codebookFile;
      codebook.k = k;
      codebook.iterations = 20;
      codebook.seed = 1;
      codebook.maxPointsPerCentroid = 10_000_000;
      codebook.view = modelOptions.view();
      codebook.patchesPerImage = 0;
      codebook.parallelism = parallelism;
      codebook.workDir = Path.of(System.getProperty("java.io.tmpdir"));
      codebook.bootstrapServers = kafka.bootstrapServers();
      codebook.topic = CODEBOOKS_TOPIC;
      Map<String, String> local = webUi.settings(null);
      webUi.announce(null);
      CodebookJob.run(codebook, null, local);

      // The demo fits the cosine schedule to the data it ingested.
      training.totalSteps = Math.max(1, (sent + training.batchSize - 1) / training.batchSize);
      PretrainOptions pretrain = new PretrainOptions();
      pretrain.bootstrapServers = kafka.bootstrapServers();
      pretrain.topic = IMAGES_TOPIC;
      pretrain.groupId = "ccvit-demo";
      pretrain.bounded = true;
      pretrain.passes = 1;
      pretrain.codebook = codebookFile;
      pretrain.codebookTopic = CODEBOOKS_TOPIC;
      pretrain.rejectTopic = REJECTS_TOPIC;
      pretrain.out = out.toString();
      pretrain.parallelism = parallelism;
      pretrain.model = modelOptions;
      pretrain.training = training;
      PretrainJob.submit(pretrain, PretrainJob.environment(pretrain, null, local))
          .getJobExecutionResult()
          .get();
    }
    TrainingLog log = TrainingLog.read(out.resolve(TrainerSinkOptions.METRICS_FILE));
    Path png = out.resolve(LossCurvePlot.FILE);
    LossCurvePlot.write(log, png);
    double[] loss = log.column("loss");
    double[] throughput = log.column("samples_per_sec");
    int window = Math.max(1, Math.min(5, loss.length / 4));
    System.out.printf(
        Locale.ROOT,
        "demo: %d steps; loss %.4f (first %d) -> %.4f (last %d); median %.1f samples/s;"
            + " wall time %.1f s%n",
        log.steps(),
        TrainingLog.meanOfFirst(loss, window),
        window,
        TrainingLog.meanOfLast(loss, window),
        window,
        median(throughput),
        (System.nanoTime() - start) / 1e9);
    System.out.println("demo: outputs in " + out.toAbsolutePath() + " (" + png.getFileName() + ")");
    return 0;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
  }
}
