/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.ccvit.infra.EmbeddedKafka;
import org.ccvit.jobs.codebook.CodebookJob;
import org.ccvit.jobs.io.Inputs;
import org.ccvit.jobs.kafka.CodebookRecordDeserializer;
import org.ccvit.jobs.kafka.ImageRecordDeserializer;
import org.ccvit.jobs.kafka.KafkaPublisher;
import org.ccvit.jobs.kafka.KafkaSettings;
import org.ccvit.jobs.pretrain.PretrainJob;
import org.ccvit.jobs.report.TrainingLog;
import org.ccvit.schemas.AvroCodec;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.schemas.RejectRecord;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.SharedData;
import org.ccvit.tokenizer.TokenizerConfig;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.io.ImageSources;
import org.ccvit.tokenizer.kmeans.KMeansConfig;
import org.ccvit.trainer.TrainConfig;
import org.ccvit.trainer.flink.TrainerSink;
import org.ccvit.trainer.flink.TrainerSinkOptions;
import org.ccvit.trainer.model.CcvitConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second codebook version published on the codebook topic while the pre-training job runs, on a
 * MiniCluster with an in-process broker: tokenizers and trainer take it from the same broadcast
 * stream, training goes on with it, and every sample of the old version is either trained (it
 * reached the trainer before the switch) or dropped and counted (it arrived after).
 */
class CodebookSwitchPipelineTest {

  private static final int IMAGE_SIZE = 64;
  private static final int PATCH_SIZE = 8;
  private static final int K = 64;
  private static final int IMAGES = 40;
  private static final int TOTAL = 2 * IMAGES;
  private static final int BATCH = 8;
  private static final long TIMEOUT_MS = 180_000;

  @TempDir Path tmp;

  @Test
  void aNewVersionPublishedMidRunIsTrainedOnWithoutStalling() throws Exception {
    Path shard = SharedData.dataset("imagenette-224/val-00000.tar.gz");
    List<ImageRecord> images = new ArrayList<>();
    ImageSources.readAll(List.of(shard), IMAGES, images::add);
    Codebook v1 = codebook(shard, 1);
    Codebook v2 = codebook(shard, 2);
    assertNotEquals(v1.version(), v2.version());

    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(1, "images", "codebooks");
      KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers());
      try (KafkaPublisher publisher = new KafkaPublisher(settings)) {
        publisher.publishCodebook(v1.toRecord(Map.of("test", "v1")), "codebooks");
      }
      Path out = tmp.resolve("run");
      TrainConfig train = new TrainConfig(BATCH, 5e-3, 1e-5, 2, 20, 0.05, 0.9, 0.98, 1e-8, 3.0, 7);
      TrainerSink trainer =
          new TrainerSink(
              new TrainerSinkOptions(
                  CcvitConfig.tiny(IMAGE_SIZE, PATCH_SIZE, K),
                  train,
                  out.toAbsolutePath().toString()));
      StreamExecutionEnvironment env =
          FlinkEnvironments.create(2, tmp.resolve("checkpoints").toString(), 500);
      PretrainJob job =
          new PretrainJob(
              TokenizerConfig.forSize(IMAGE_SIZE, PATCH_SIZE, 11),
              TopicPrefix.upTo(settings, "images", TOTAL, new ImageRecordDeserializer(), "images"),
              TopicPrefix.upTo(
                  settings, "codebooks", 2, new CodebookRecordDeserializer(), "codebooks"));
      CollectingSink<TrainingSample> produced = new CollectingSink<>("switch-samples");
      PretrainJob.Streams streams =
          job.buildWithSinks(env, trainer, new CollectingSink<RejectRecord>("switch-rejects"));
      streams.samples().sinkTo(produced);
      JobClient client = env.executeAsync("codebook switch test");

      // The new version comes while samples of the first pass are still on their way to the
      // trainer; the images after it are published at once, so tokenizers get ahead of the trainer.
      long publishedAt;
      try (KafkaPublisher publisher = new KafkaPublisher(settings);
          KafkaProducer<byte[], byte[]> producer =
              new KafkaProducer<>(settings.producerProperties())) {
        publishImages(producer, images);
        waitFor(client, () -> stepsIn(out) >= 1, "a step with the first version");
        publisher.publishCodebook(v2.toRecord(Map.of("test", "v2")), "codebooks");
        publishedAt = System.nanoTime();
        publishImages(producer, images);
      }
      waitFor(
          client, () -> versionsIn(out).contains(v2.version()), "a step with the second version");
      double switchSeconds = (System.nanoTime() - publishedAt) / 1e9;
      client.getJobExecutionResult().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);

      // Which version each produced sample was tokenized with.
      Map<String, String> versionOf = new HashMap<>();
      for (TrainingSample s : produced.results()) {
        versionOf.put(s.getEpoch() + "," + s.getKey(), s.getCodebookVersion());
      }
      assertEquals(TOTAL, versionOf.size(), "every image became one sample");
      List<String> steps = Files.readAllLines(out.resolve(TrainerSinkOptions.METRICS_FILE));
      List<String> header = List.of(steps.get(0).split(","));
      int versionColumn = header.indexOf("codebook_version");
      List<String> stepVersion = new ArrayList<>();
      for (String row : steps.subList(1, steps.size())) {
        stepVersion.add(row.split(",")[versionColumn]);
      }
      int firstV2 = stepVersion.indexOf(v2.version());
      assertTrue(firstV2 >= 1, "steps of the first version, then the switch: " + stepVersion);
      for (int i = 0; i < stepVersion.size(); i++) {
        assertEquals(i < firstV2 ? v1.version() : v2.version(), stepVersion.get(i), "step " + i);
      }

      // Every trained sample was trained once, with the version of its step.
      List<String> trainedRows =
          Files.readAllLines(out.resolve(TrainerSinkOptions.TRAINED_KEYS_FILE));
      Set<String> trained = new HashSet<>();
      Map<String, Integer> trainedPerVersion = new HashMap<>();
      for (String row : trainedRows.subList(1, trainedRows.size())) {
        int comma = row.indexOf(',');
        int step = Integer.parseInt(row.substring(0, comma));
        String id = row.substring(comma + 1);
        assertTrue(trained.add(id), "trained twice: " + id);
        assertEquals(stepVersion.get(step - 1), versionOf.get(id), "version of " + id);
        trainedPerVersion.merge(versionOf.get(id), 1, Integer::sum);
      }
      Map<String, Integer> producedPerVersion = new HashMap<>();
      versionOf.values().forEach(v -> producedPerVersion.merge(v, 1, Integer::sum));
      // The rule: every sample of the new version is trained; a sample of the old one is trained
      // if it reached the trainer before the first sample of the new one, else dropped and counted.
      int dropped =
          (int)
              TrainingLog.read(out.resolve(TrainerSinkOptions.METRICS_FILE))
                  .column("stale_samples")[stepVersion.size() - 1];
      assertEquals(producedPerVersion.get(v2.version()), trainedPerVersion.get(v2.version()));
      assertEquals(
          producedPerVersion.get(v1.version()),
          trainedPerVersion.get(v1.version()) + dropped,
          "old-version samples trained + dropped");
      System.out.printf(
          "codebook switch: produced %s, trained %s, dropped (stale) %d; first step with the new"
              + " version %d, %.1f s after it was published%n",
          producedPerVersion, trainedPerVersion, dropped, firstV2 + 1, switchSeconds);
    }
  }

  /** A small k-means codebook of the same images, by the bounded job; the seed makes a version. */
  private Codebook codebook(Path shard, long seed) throws Exception {
    CodebookJob job =
        new CodebookJob(
            new CodebookJob.Settings(
                IMAGE_SIZE, PATCH_SIZE, 0, new KMeansConfig(K, 4, seed, 10_000_000), 1),
            Inputs.imageFiles(List.of(shard), 1));
    return job.run(
            FlinkEnvironments.create(1, tmp.resolve("cb-checkpoints").toString(), 0),
            tmp.resolve("work-" + seed),
            it -> {})
        .codebook();
  }

  /** Images in order into the topic's single partition (each image once more: its next epoch). */
  private static void publishImages(
      KafkaProducer<byte[], byte[]> producer, List<ImageRecord> images) {
    AvroCodec<ImageRecord> codec = new AvroCodec<>(ImageRecord.class);
    for (ImageRecord r : images) {
      producer.send(
          new ProducerRecord<>(
              "images", r.getKey().getBytes(StandardCharsets.UTF_8), codec.encode(r)));
    }
    producer.flush();
  }

  private static int stepsIn(Path out) {
    try {
      return TrainingLog.read(out.resolve(TrainerSinkOptions.METRICS_FILE)).steps();
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  private static Set<String> versionsIn(Path out) {
    Set<String> versions = new HashSet<>();
    try {
      List<String> lines = Files.readAllLines(out.resolve(TrainerSinkOptions.METRICS_FILE));
      int column = List.of(lines.get(0).split(",")).indexOf("codebook_version");
      for (String line : lines.subList(1, lines.size())) {
        versions.add(line.split(",")[column]);
      }
    } catch (java.io.IOException e) {
      // Not written yet.
    }
    return versions;
  }

  private static void waitFor(JobClient job, BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMillis(TIMEOUT_MS).toNanos();
    while (!condition.getAsBoolean()) {
      if (job.getJobExecutionResult().isDone() && !condition.getAsBoolean()) {
        throw new AssertionError("the job ended before " + what);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }
}
