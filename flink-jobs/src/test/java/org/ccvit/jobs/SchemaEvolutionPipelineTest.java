/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.ccvit.infra.EmbeddedKafka;
import org.ccvit.jobs.io.Inputs;
import org.ccvit.jobs.kafka.KafkaPublisher;
import org.ccvit.jobs.kafka.KafkaSettings;
import org.ccvit.jobs.pretrain.PretrainJob;
import org.ccvit.schemas.AvroCodec;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.schemas.PlainAvro;
import org.ccvit.schemas.RejectRecord;
import org.ccvit.schemas.SchemaHistory;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.SampleMaker;
import org.ccvit.tokenizer.TokenizerConfig;
import org.ccvit.tokenizer.codebook.Codebook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image topic that outlived releases: records of an earlier schema (ImageRecord v0, without the
 * label; test-only, in the schemas test-jar's history), of the current one, and plain Avro as the
 * release before single-object encoding wrote, mixed on one topic. The pre-training job of this
 * release turns each into the sample its image makes, and rejects a record of a schema it does not
 * know with its key and the fingerprint.
 */
class SchemaEvolutionPipelineTest {

  private static final int IMAGE_SIZE = 32;
  private static final int PATCH_SIZE = 8;
  private static final long FUTURE_FINGERPRINT = 0x7e57_0000_0000_0002L;

  @TempDir Path tmp;

  @Test
  void recordsOfEarlierSchemasAndReleasesOnOneTopicBecomeSamples() throws Exception {
    List<ImageRecord> images = RealImages.imagenetteValidation(6);
    Schema v0 = SchemaHistory.of(ImageRecord.class).version(0).orElseThrow().schema();
    BinaryMessageEncoder<GenericRecord> v0Writer =
        new BinaryMessageEncoder<>(GenericData.get(), v0);
    AvroCodec<ImageRecord> current = new AvroCodec<>(ImageRecord.class);
    Codebook codebook = randomCodebook();

    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(1, "images", "codebooks");
      KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers());
      try (KafkaProducer<byte[], byte[]> producer =
              new KafkaProducer<>(settings.producerProperties());
          KafkaPublisher publisher = new KafkaPublisher(settings)) {
        publisher.publishCodebook(codebook.toRecord(Map.of()), "codebooks");
        for (int i = 0; i < images.size(); i++) {
          ImageRecord image = images.get(i);
          byte[] value =
              switch (i % 3) {
                case 0 -> bytes(v0Writer.encode(asV0(image, v0)));
                case 1 -> current.encode(image);
                default -> PlainAvro.encode(image);
              };
          producer.send(new ProducerRecord<>("images", key(image.getKey()), value));
        }
        byte[] future = current.encode(images.get(0));
        ByteBuffer.wrap(future, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(FUTURE_FINGERPRINT);
        producer.send(new ProducerRecord<>("images", key("from-a-newer-release"), future));
        producer.flush();
      }

      StreamExecutionEnvironment env = FlinkEnvironments.create(1, tmp.resolve("cp").toString(), 0);
      TokenizerConfig config = TokenizerConfig.forSize(IMAGE_SIZE, PATCH_SIZE, 5);
      PretrainJob.Streams streams =
          new PretrainJob(
                  config,
                  Inputs.kafkaImages(settings, "images", "evolution-test", true),
                  Inputs.kafkaCodebooks(settings, "codebooks", "evolution-test-cb", true))
              .build(env);
      CollectingSink<TrainingSample> samples = new CollectingSink<>("evolution-samples");
      CollectingSink<RejectRecord> rejects = new CollectingSink<>("evolution-rejects");
      streams.samples().sinkTo(samples);
      streams.rejects().sinkTo(rejects);
      env.execute("schema evolution test");

      Map<String, TrainingSample> byKey = new HashMap<>();
      samples.results().forEach(s -> byKey.put(s.getKey(), s));
      assertEquals(images.size(), samples.results().size());
      SampleMaker maker = new SampleMaker(config, codebook);
      for (ImageRecord image : images) {
        TrainingSample got = byKey.get(image.getKey());
        assertTrue(got != null, "no sample for " + image.getKey());
        assertEquals(maker.make(image, 0), got, image.getKey());
      }

      assertEquals(1, rejects.results().size(), rejects.results().toString());
      RejectRecord reject = rejects.results().get(0);
      assertEquals("from-a-newer-release", reject.getKey());
      assertEquals("parse", reject.getStage());
      assertTrue(
          reject.getReason().contains("fingerprint " + SchemaHistory.hex(FUTURE_FINGERPRINT)),
          reject.getReason());
    }
  }

  /** The image as a release with schema v0 (no label) wrote it. */
  private static GenericRecord asV0(ImageRecord image, Schema v0) {
    return new GenericRecordBuilder(v0)
        .set("key", image.getKey())
        .set("image", image.getImage().duplicate())
        .set("format", image.getFormat())
        .set("source", image.getSource())
        .build();
  }

  private static Codebook randomCodebook() {
    int k = 16;
    float[] centroids = new float[k * 3 * PATCH_SIZE * PATCH_SIZE];
    SplittableRandom rng = new SplittableRandom(17);
    for (int i = 0; i < centroids.length; i++) {
      centroids[i] = (float) rng.nextDouble();
    }
    return new Codebook(
        Codebook.contentVersion(centroids, PATCH_SIZE, 3), k, PATCH_SIZE, 3, centroids);
  }

  private static byte[] key(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }
}
