/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.ccvit.infra.EmbeddedKafka;
import org.ccvit.jobs.bench.LabelMixing;
import org.ccvit.jobs.io.Inputs;
import org.ccvit.jobs.kafka.ImageRecordDeserializer;
import org.ccvit.jobs.kafka.KafkaSettings;
import org.ccvit.jobs.pretrain.PretrainJob;
import org.ccvit.jobs.report.TrainingLog;
import org.ccvit.schemas.AvroCodec;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.schemas.RejectRecord;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.SharedData;
import org.ccvit.tokenizer.TokenizerConfig;
import org.ccvit.tokenizer.io.ImageSources;
import org.ccvit.trainer.ShuffleBuffer;
import org.ccvit.trainer.ShuffleConfig;
import org.ccvit.trainer.TrainConfig;
import org.ccvit.trainer.flink.TrainerFeed;
import org.ccvit.trainer.flink.TrainerSink;
import org.ccvit.trainer.flink.TrainerSinkOptions;
import org.ccvit.trainer.model.CcvitConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer's shuffle buffer on a MiniCluster fed by Kafka: CIFAR-10 training images sorted by
 * label (the worst order a folder of class folders gives) come out in mixed batches, every (key,
 * epoch) is trained once, and a run with a failure after a checkpoint (the buffer full, mid-run)
 * trains the batches an uninterrupted one forms. Deterministic mode as in {@link
 * FaultTolerancePipelineTest}: one partition, parallelism 1, the codebook there before the images.
 */
class ShufflePipelineTest {

  private static final int IMAGE_SIZE = 32;
  private static final int PATCH_SIZE = 8;
  private static final int K = 64;
  private static final int CLASSES = 10;
  private static final int PER_CLASS = 32;
  private static final int TOTAL = CLASSES * PER_CLASS;
  private static final int BATCH = 16;
  private static final int BUFFER = 256;
  private static final long TIMEOUT_MS = 120_000;
  private static final CcvitConfig MODEL = CcvitConfig.tiny(IMAGE_SIZE, PATCH_SIZE, K);
  private static final TrainConfig TRAIN =
      new TrainConfig(BATCH, 5e-3, 1e-5, 2, 20, 0.05, 0.9, 0.98, 1e-8, 3.0, 7);

  /**
   * Standard deviations below the uniform draw's mean that a shuffled run may score: under uniform
   * draws a lower score has probability about 3e-5 (one-sided normal tail).
   */
  private static final double Z = 4;

  @TempDir static Path tmp;
  private static EmbeddedKafka kafka;
  private static KafkaSettings settings;
  private static final List<ImageRecord> sorted = new ArrayList<>();
  private static final Map<String, Integer> labels = new HashMap<>();
  private static Path codebookFile;

  @BeforeAll
  static void classSortedImagesCodebookAndBroker() throws Exception {
    Map<Integer, Integer> perClass = new HashMap<>();
    ImageSources.readAll(
        List.of(SharedData.dataset("cifar10/train-00000.tar.gz")),
        40 * CLASSES,
        r -> {
          if (perClass.merge(r.getLabel(), 1, Integer::sum) <= PER_CLASS) {
            sorted.add(r);
          }
        });
    sorted.sort(Comparator.comparing(ImageRecord::getLabel));
    assertEquals(TOTAL, sorted.size(), "32 images of each class among the shard's first 400");
    sorted.forEach(r -> labels.put(r.getKey(), r.getLabel()));
    // Any codebook of the right shape serves: the test is about order and state.
    codebookFile = RandomCodebook.write(tmp.resolve("centroids.npy"), K, PATCH_SIZE, 5);
    kafka = EmbeddedKafka.start();
    settings = new KafkaSettings(kafka.bootstrapServers());
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void classSortedImagesTrainInMixedBatchesExactlyOnceAndARestoreTrainsTheSameBatches()
      throws Exception {
    Path out = tmp.resolve("failing");
    FaultTolerancePipelineTest.Probe.reset(-1);
    JobClient job = start("shuffle", out);
    publish("shuffle", 0, 290);
    // A checkpoint completes with the buffer full and 2 steps trained (less what unaligned
    // checkpoints keep in flight); the failure comes after step 3, which the restore must forget.
    FaultTolerancePipelineTest.waitFor(
        () -> FaultTolerancePipelineTest.Probe.completedAt.get() == 290, "a checkpoint");
    FaultTolerancePipelineTest.Probe.failAt.set(305);
    publish("shuffle", 290, TOTAL);
    job.getJobExecutionResult().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    assertTrue(FaultTolerancePipelineTest.Probe.failed.get(), "the failure was injected");
    assertExactlyOnce(out);

    // The uninterrupted run's batches: the images in arrival order through the same seeded
    // buffer, drained at the end, cut into batches (what the trainer does without a failure).
    ShuffleBuffer<String> buffer = new ShuffleBuffer<>(BUFFER, TRAIN.seed());
    List<String> uninterrupted = new ArrayList<>();
    for (ImageRecord r : sorted) {
      String released = buffer.offer(r.getKey());
      if (released != null) {
        uninterrupted.add(released);
      }
    }
    uninterrupted.addAll(buffer.drain());
    List<String> batches = trainedRows(out);
    for (int i = 0; i < TOTAL; i++) {
      assertEquals(
          (i / BATCH + 1) + ",0," + uninterrupted.get(i),
          batches.get(i),
          "sample " + i + " of the uninterrupted run, in the same step");
    }

    int[] arrival = sorted.stream().mapToInt(ImageRecord::getLabel).toArray();
    int[] trained =
        batches.stream()
            .mapToInt(row -> labels.get(row.substring(row.lastIndexOf(',') + 1)))
            .toArray();
    LabelMixing.Uniform uniform = LabelMixing.uniform(arrival, BATCH, 2000, 1);
    double shuffled = LabelMixing.meanBatchEntropy(trained, BATCH);
    double unshuffled = LabelMixing.meanBatchEntropy(arrival, BATCH);
    System.out.printf(
        Locale.ROOT,
        "mean label entropy per batch of %d (nats): arrival order %.3f, shuffle buffer of %d"
            + " %.3f, uniform draws %.3f (sd %.4f over %d), bound %.3f%n",
        BATCH,
        unshuffled,
        BUFFER,
        shuffled,
        uniform.mean(),
        uniform.sd(),
        uniform.trials(),
        uniform.lowerBound(Z));
    assertTrue(unshuffled < uniform.lowerBound(Z), "the input is class-sorted: " + unshuffled);
    assertTrue(
        shuffled >= uniform.lowerBound(Z),
        "batches as mixed as uniform draws: " + shuffled + " < " + uniform.lowerBound(Z));
  }

  /** The pre-training job over the topic's first TOTAL records, the shuffle buffer on. */
  private static JobClient start(String topic, Path out) throws Exception {
    kafka.createTopics(1, topic);
    StreamExecutionEnvironment env =
        FlinkEnvironments.create(
            1,
            out.resolve("checkpoints").toString(),
            200,
            Map.of(
                "restart-strategy.type", "fixed-delay",
                "restart-strategy.fixed-delay.attempts", "2",
                "restart-strategy.fixed-delay.delay", "200 ms"));
    PretrainJob.Streams streams =
        new PretrainJob(
                TokenizerConfig.forSize(IMAGE_SIZE, PATCH_SIZE, 11),
                TopicPrefix.upTo(settings, topic, TOTAL, new ImageRecordDeserializer(), "images"),
                Inputs.codebookFile(codebookFile, PATCH_SIZE, 3, Map.of()))
            .build(env);
    // No time bound on the wait: releases must not depend on timing here.
    TrainerSinkOptions options =
        new TrainerSinkOptions(MODEL, TRAIN, out.toAbsolutePath().toString())
            .withShuffle(new ShuffleConfig(BUFFER, 0));
    TrainerFeed.of(
            streams
                .samples()
                .map(new FaultTolerancePipelineTest.Probe())
                .returns(new AvroTypeInfo<>(TrainingSample.class))
                .uid("probe")
                .startNewChain(),
            streams.codebooks())
        .sinkTo(new TrainerSink(options))
        .uid("trainer")
        .setParallelism(1);
    streams.rejects().sinkTo(new CollectingSink<RejectRecord>("rejects-" + topic)).uid("rejects");
    return env.executeAsync("shuffle test: " + topic);
  }

  /**
   * Sends sorted[from, to); the first record alone, so the codebook is in place before the rest.
   */
  private static void publish(String topic, int from, int to) throws Exception {
    AvroCodec<ImageRecord> codec = new AvroCodec<>(ImageRecord.class);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(settings.producerProperties())) {
      for (int i = from; i < to; i++) {
        ImageRecord r = sorted.get(i);
        byte[] key = r.getKey().getBytes(StandardCharsets.UTF_8);
        // One producer to one partition keeps the order.
        producer.send(new ProducerRecord<>(topic, key, codec.encode(r)));
        if (i == 0) {
          producer.flush();
          FaultTolerancePipelineTest.waitFor(
              () -> FaultTolerancePipelineTest.Probe.seen.get() >= 1, "the first sample");
        }
      }
    }
  }

  /** Rows "step,epoch,key" of trained-keys.csv. */
  private static List<String> trainedRows(Path out) throws Exception {
    List<String> lines = Files.readAllLines(out.resolve(TrainerSinkOptions.TRAINED_KEYS_FILE));
    return lines.subList(1, lines.size());
  }

  private static void assertExactlyOnce(Path out) throws Exception {
    List<String> epochAndKey =
        trainedRows(out).stream().map(r -> r.substring(r.indexOf(',') + 1)).toList();
    assertEquals(TOTAL, epochAndKey.size(), "every sample trained");
    assertEquals(TOTAL, new HashSet<>(epochAndKey).size(), "no sample trained twice");
    assertEquals(
        new HashSet<>(sorted.stream().map(r -> "0," + r.getKey()).toList()),
        new HashSet<>(epochAndKey));
    double[] steps = TrainingLog.read(out.resolve(TrainerSinkOptions.METRICS_FILE)).column("step");
    assertEquals(TOTAL / BATCH, steps.length);
    for (int i = 0; i < steps.length; i++) {
      assertEquals(i + 1, steps[i], "steps of the surviving lineage, each once");
    }
  }
}
