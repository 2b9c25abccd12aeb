/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.ccvit.infra.EmbeddedKafka;
import org.ccvit.jobs.codebook.CodebookJob;
import org.ccvit.jobs.io.Inputs;
import org.ccvit.jobs.kafka.KafkaPublisher;
import org.ccvit.jobs.kafka.KafkaSettings;
import org.ccvit.jobs.pretrain.PretrainJob;
import org.ccvit.jobs.report.TrainingLog;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.schemas.RejectRecord;
import org.ccvit.schemas.TokenIds;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.TokenizerConfig;
import org.ccvit.tokenizer.kmeans.KMeansConfig;
import org.ccvit.trainer.TrainConfig;
import org.ccvit.trainer.flink.TrainerSink;
import org.ccvit.trainer.flink.TrainerSinkOptions;
import org.ccvit.trainer.model.CcvitConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on a MiniCluster with an in-process Kafka broker: real images and bad records are
 * ingested, a codebook is built by the bounded job, and the streaming job tokenizes, masks and
 * trains. Every record yields exactly one sample or one reject, and the loss falls.
 */
class PretrainPipelineTest {

  private static final int IMAGE_SIZE = 64;
  private static final int PATCH_SIZE = 8;
  private static final int IMAGES = 40;
  private static final int PASSES = 10;

  @TempDir Path tmp;

  @Test
  void imagesFromKafkaAreTokenizedMaskedAndTrainedOnWhileBadRecordsAreRejected() throws Exception {
    Path subset = tmp.resolve("images");
    Files.createDirectories(subset);
    List<ImageRecord> real = RealImages.imagenetteValidation(IMAGES);
    for (ImageRecord r : real) {
      byte[] bytes = new byte[r.getImage().remaining()];
      r.getImage().duplicate().get(bytes);
      Files.write(subset.resolve(r.getKey() + "." + r.getFormat()), bytes);
    }
    byte[] jpeg = Files.readAllBytes(subset.resolve(real.get(0).getKey() + ".jpg"));
    Files.write(subset.resolve("truncated.jpg"), java.util.Arrays.copyOf(jpeg, jpeg.length / 3));
    Files.write(subset.resolve("not-an-image.png"), "hello, I am text".getBytes());

    // Codebook from the same images with the bounded job.
    CodebookJob codebookJob =
        new CodebookJob(
            new CodebookJob.Settings(
                IMAGE_SIZE, PATCH_SIZE, 0, new KMeansConfig(64, 8, 1, 10_000_000), 1),
            Inputs.imageFiles(List.of(subset), 1));
    CodebookJob.Result built =
        codebookJob.run(
            FlinkEnvironments.create(2, tmp.resolve("cp0").toString(), 0),
            tmp.resolve("work"),
            it -> {});
    assertEquals(IMAGES, built.images());
    assertEquals(2, built.rejects().size(), built.rejects().toString());
    Path codebookFile = tmp.resolve("centroids.npy");
    built.codebook().writeNpy(codebookFile);

    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(2, "images");
      KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers());
      long sent;
      try (KafkaPublisher publisher = new KafkaPublisher(settings)) {
        sent =
            publisher
                .publishImages(
                    List.of(subset),
                    "images",
                    PASSES,
                    0,
                    new KafkaPublisher.RecordLimit(
                        KafkaPublisher.RecordLimit.KAFKA_DEFAULT_BYTES,
                        KafkaPublisher.Oversize.REFUSE))
                .sent();
      }
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(settings.producerProperties())) {
        producer
            .send(new ProducerRecord<>("images", "garbage".getBytes(), new byte[] {1, 2, 3}))
            .get();
      }
      assertEquals((IMAGES + 2) * PASSES, sent);

      Path out = tmp.resolve("run");
      CcvitConfig model = CcvitConfig.tiny(IMAGE_SIZE, PATCH_SIZE, 64);
      TrainConfig train = new TrainConfig(8, 5e-3, 1e-5, 3, 300, 0.05, 0.9, 0.98, 1e-8, 3.0, 7);
      TrainerSink trainer =
          new TrainerSink(new TrainerSinkOptions(model, train, out.toAbsolutePath().toString()));
      CollectingSink<RejectRecord> rejects = new CollectingSink<>("rejects");
      CollectingSink<TrainingSample> samples = new CollectingSink<>("samples");
      StreamExecutionEnvironment env =
          FlinkEnvironments.create(2, tmp.resolve("cp1").toString(), 0);
      PretrainJob job =
          new PretrainJob(
              TokenizerConfig.forSize(IMAGE_SIZE, PATCH_SIZE, 11),
              Inputs.kafkaImages(settings, "images", "test", true),
              Inputs.codebookFile(codebookFile, PATCH_SIZE, 3, Map.of()));
      PretrainJob.Streams streams = job.buildWithSinks(env, trainer, rejects);
      streams.samples().sinkTo(samples);
      env.execute("pretrain test");

      // Exactly one output per record: (key, epoch) pairs for samples, keys for rejects.
      Set<String> sampleIds = new HashSet<>();
      for (TrainingSample s : samples.results()) {
        assertTrue(sampleIds.add(s.getKey() + "#" + s.getEpoch()), "duplicate " + s.getKey());
        assertEquals(3 * IMAGE_SIZE * IMAGE_SIZE, s.getPixels().remaining());
        assertEquals(64, TokenIds.unpack(s.getTokenIds()).length);
        assertEquals(24, s.getMaskedPositions().size());
        assertEquals(6, s.getReplacedPositions().size());
        Set<Integer> corrupted = new HashSet<>(s.getMaskedPositions());
        s.getReplacedPositions().forEach(p -> assertTrue(corrupted.add(p), "overlap at " + p));
        assertEquals(built.codebook().version(), s.getCodebookVersion());
      }
      assertEquals(IMAGES * PASSES, sampleIds.size());
      for (int epoch = 0; epoch < PASSES; epoch++) {
        assertTrue(sampleIds.contains(real.get(0).getKey() + "#" + epoch));
      }
      Map<String, Integer> rejectsByKey = new HashMap<>();
      for (RejectRecord r : rejects.results()) {
        rejectsByKey.merge(r.getKey(), 1, Integer::sum);
        assertFalse(r.getReason().isBlank());
      }
      assertEquals(Map.of("truncated", PASSES, "not-an-image", PASSES, "garbage", 1), rejectsByKey);
      assertEquals(sent + 1, samples.results().size() + rejects.results().size());
      RejectRecord garbage =
          rejects.results().stream().filter(r -> r.getKey().equals("garbage")).findFirst().get();
      assertEquals("parse", garbage.getStage());

      // The trainer saw every sample and learned something.
      TrainingLog log = TrainingLog.read(out.resolve(TrainerSinkOptions.METRICS_FILE));
      assertEquals((IMAGES * PASSES + 7) / 8, log.steps());
      double[] loss = log.column("loss");
      double first = TrainingLog.meanOfFirst(loss, 3);
      double last = TrainingLog.meanOfLast(loss, 3);
      assertTrue(last < 0.85 * first, "loss did not fall: " + first + " -> " + last);
      assertTrue(Files.size(out.resolve(TrainerSinkOptions.WEIGHTS_FILE)) > 0);
    }
  }
}
