/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.ccvit.infra.EmbeddedKafka;
import org.ccvit.jobs.io.Inputs;
import org.ccvit.jobs.kafka.KafkaPublisher;
import org.ccvit.jobs.kafka.KafkaSettings;
import org.ccvit.jobs.kafka.RejectRecordSerializer;
import org.ccvit.jobs.pretrain.PretrainJob;
import org.ccvit.schemas.AvroCodec;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.schemas.RejectRecord;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.SampleMaker;
import org.ccvit.tokenizer.TokenizerConfig;
import org.ccvit.tokenizer.codebook.Codebook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus of bad and unusual inputs, built here, goes the real way: in-process Kafka, the
 * pre-training job, the reject topic. Every unusable record comes back with its key, stage and a
 * reason saying what is wrong; every usable one (however odd its encoding) becomes a sample whose
 * tokens are those of the codebook version it names; the reject count is a metric.
 */
class BadInputPipelineTest {

  private static final int IMAGE_SIZE = 64;
  private static final int PATCH_SIZE = 8;
  private static final int REAL_IMAGES = 12;

  /** An 8x8 CMYK JPEG written by Pillow 9.4: Image.new("CMYK", (8, 8), (10, 200, 30, 40)). */
  private static final String CMYK_JPEG =
      "/9j/7gAOQWRvYmUAZAAAAAAA/9sAQwADAgIDAgIDAwMDBAMDBAUIBQUEBAUKBwcGCAwKDAwLCgsLDQ4SEA0O"
          + "EQ4LCxAWEBETFBUVFQwPFxgWFBgSFBUU/8AAFAgACAAIBEMRAE0RAFkRAEsRAP/EAB8AAAEFAQEB"
          + "AQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNR"
          + "YQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldY"
          + "WVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TF"
          + "xsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/aAA4EQwBNAFkASwAAPwD9OK+PK/QO"
          + "vuiv/9k=";

  @TempDir Path tmp;

  /** Bad records by key: the stage and a part of the reason that must come back. */
  private record Expected(String stage, String reasonPart) {}

  @Test
  void everyBadRecordIsRejectedWithKeyAndReasonAndEveryGoodOneBecomesASample() throws Exception {
    List<ImageRecord> good = RealImages.imagenetteValidation(REAL_IMAGES);
    good.add(record("gray-jpeg", encode(grayImage(48, 40), "jpg"), "jpg"));
    good.add(record("gray-png", encode(grayImage(33, 17), "png"), "png"));
    good.add(record("rgb16-png", encode(rgb16Image(24, 20), "png"), "png"));
    good.add(record("palette-alpha-png", encode(paletteWithAlpha(16, 16), "png"), "png"));
    // Decoded as Pillow does (see tokenizer-op's PillowFormatsTest), whatever the record says.
    good.add(record("cmyk-jpeg", Base64.getDecoder().decode(CMYK_JPEG), "jpg"));
    for (String file :
        List.of(
            "jpeg_ycck_adobe.jpg",
            "bmp_rgb24.bmp",
            "gif_palette.gif",
            "tiff_lzw.tif",
            "webp_lossless.webp",
            "webp_lossy.webp")) {
      good.add(record(file, pillowFormat(file), "jpg"));
    }

    byte[] realJpeg = bytes(good.get(0));
    Map<String, byte[]> bad = new LinkedHashMap<>();
    Map<String, Expected> expected = new HashMap<>();
    bad.put("truncated-jpeg", Arrays.copyOf(realJpeg, realJpeg.length / 3));
    expected.put("truncated-jpeg", new Expected("decode", "truncated"));
    bad.put("zero-length", new byte[0]);
    expected.put("zero-length", new Expected("decode", "empty input"));
    bad.put("text", "this is not an image at all".getBytes(StandardCharsets.UTF_8));
    expected.put("text", new Expected("decode", "not a JPEG, PNG, GIF, BMP, TIFF or WebP image"));
    bad.put("one-pixel", encode(grayImage(1, 1), "png"));
    expected.put("one-pixel", new Expected("decode", "smaller than one 8x8 patch"));
    bad.put("below-patch", encode(rgb16Image(7, 30), "png"));
    expected.put("below-patch", new Expected("decode", "7x30, smaller than one 8x8 patch"));
    bad.put("bomb", decompressionBomb());
    expected.put("bomb", new Expected("decode", "100000x100000"));
    expected.put("unparseable", new Expected("parse", "not an ImageRecord"));

    Codebook first = randomCodebook(1);
    Codebook second = randomCodebook(2);
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(2, "images", "rejects");
      kafka.createTopics(1, "codebooks");
      KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers());
      AvroCodec<ImageRecord> codec = new AvroCodec<>(ImageRecord.class);
      try (KafkaProducer<byte[], byte[]> producer =
              new KafkaProducer<>(settings.producerProperties());
          KafkaPublisher publisher = new KafkaPublisher(settings)) {
        // A second codebook version published after the first: samples may take either, but
        // each must carry the version its tokens come from.
        publisher.publishCodebook(first.toRecord(Map.of()), "codebooks");
        List<ImageRecord> all = new ArrayList<>(good);
        bad.forEach((key, value) -> all.add(record(key, value, "jpg")));
        for (ImageRecord r : all) {
          producer.send(new ProducerRecord<>("images", key(r.getKey()), codec.encode(r)));
        }
        producer.send(new ProducerRecord<>("images", key("unparseable"), new byte[] {7, 7, 7}));
        producer.flush();
        publisher.publishCodebook(second.toRecord(Map.of()), "codebooks");
      }

      StreamExecutionEnvironment env =
          FlinkEnvironments.create(
              2, tmp.resolve("cp").toString(), 0, CounterTotals.configuration());
      TokenizerConfig config = TokenizerConfig.forSize(IMAGE_SIZE, PATCH_SIZE, 5);
      PretrainJob.Streams streams =
          new PretrainJob(
                  config,
                  Inputs.kafkaImages(settings, "images", "bad-input-test", true),
                  Inputs.kafkaCodebooks(settings, "codebooks", "bad-input-test-cb", true))
              .build(env);
      CollectingSink<TrainingSample> samples = new CollectingSink<>("bad-input-samples");
      streams.samples().sinkTo(samples);
      streams.rejects().sinkTo(RejectRecordSerializer.sink(settings, "rejects"));
      JobExecutionResult result = env.execute("bad input test");

      Map<String, RejectRecord> rejects = readRejects(settings, expected.size());
      assertEquals(expected.keySet(), rejects.keySet());
      expected.forEach(
          (key, want) -> {
            RejectRecord got = rejects.get(key);
            assertEquals(want.stage(), got.getStage(), key);
            assertTrue(
                got.getReason().contains(want.reasonPart()),
                key + ": reason \"" + got.getReason() + "\" should say \"" + want.reasonPart());
          });

      Map<String, Codebook> byVersion = Map.of(first.version(), first, second.version(), second);
      Map<String, TrainingSample> byKey = new HashMap<>();
      samples.results().forEach(s -> byKey.put(s.getKey(), s));
      assertEquals(good.size(), samples.results().size());
      for (ImageRecord r : good) {
        TrainingSample s = byKey.get(r.getKey());
        assertTrue(s != null, "no sample for good record " + r.getKey());
        Codebook used = byVersion.get(s.getCodebookVersion());
        assertTrue(used != null, "unknown codebook version " + s.getCodebookVersion());
        TrainingSample replay = new SampleMaker(config, used).make(r, s.getEpoch());
        assertEquals(replay.getTokenIds(), s.getTokenIds(), r.getKey());
        assertArrayEquals(bytes(replay.getPixels()), bytes(s.getPixels()), r.getKey());
      }

      JobID job = result.getJobID();
      assertEquals(expected.size(), CounterTotals.total(job, "rejects"));
      assertEquals(good.size(), CounterTotals.total(job, "samples"));
      for (String stage : List.of("decode", "augment", "tokenize", "mask")) {
        assertTrue(CounterTotals.total(job, "stageNanos." + stage) > 0, stage + " time metric");
      }
    }
  }

  private static Map<String, RejectRecord> readRejects(KafkaSettings settings, int count)
      throws IOException {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "reject-reader");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    AvroCodec<RejectRecord> codec = new AvroCodec<>(RejectRecord.class);
    Map<String, RejectRecord> rejects = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of("rejects"));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (rejects.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          RejectRecord reject = codec.decode(r.value());
          assertEquals(reject.getKey(), new String(r.key(), StandardCharsets.UTF_8));
          rejects.put(reject.getKey(), reject);
        }
      }
    }
    return rejects;
  }

  private static Codebook randomCodebook(long seed) {
    int k = 16;
    float[] centroids = new float[k * 3 * PATCH_SIZE * PATCH_SIZE];
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = 0; i < centroids.length; i++) {
      centroids[i] = (float) rng.nextDouble();
    }
    return new Codebook(
        Codebook.contentVersion(centroids, PATCH_SIZE, 3), k, PATCH_SIZE, 3, centroids);
  }

  /** A file of tokenizer-op's Pillow-described test images (on the classpath via its test-jar). */
  private static byte[] pillowFormat(String file) throws IOException {
    try (InputStream in =
        BadInputPipelineTest.class.getResourceAsStream("/pillow-formats/" + file)) {
      return in.readAllBytes();
    }
  }

  private static ImageRecord record(String key, byte[] image, String format) {
    return ImageRecord.newBuilder()
        .setKey(key)
        .setImage(ByteBuffer.wrap(image))
        .setFormat(format)
        .setSource("test corpus")
        .build();
  }

  private static byte[] key(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(ImageRecord r) {
    return bytes(r.getImage());
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }

  private static BufferedImage grayImage(int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.getRaster().setSample(x, y, 0, (x * 13 + y * 29) % 256);
      }
    }
    return img;
  }

  /** 16 bits per channel RGB (Pillow keeps the high byte). */
  private static BufferedImage rgb16Image(int width, int height) {
    BufferedImage img =
        new BufferedImage(
            new ComponentColorModel(
                ColorSpace.getInstance(ColorSpace.CS_sRGB),
                false,
                false,
                Transparency.OPAQUE,
                DataBuffer.TYPE_USHORT),
            Raster.createInterleavedRaster(DataBuffer.TYPE_USHORT, width, height, 3, null),
            false,
            null);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.getRaster().setPixel(x, y, new int[] {x * 2000, y * 3000, (x + y) * 1000});
      }
    }
    return img;
  }

  /** A palette with a transparent entry (PNG tRNS); PIL's convert("RGB") drops the alpha. */
  private static BufferedImage paletteWithAlpha(int width, int height) {
    byte[] reds = {0, (byte) 200, 10, 90};
    byte[] greens = {0, 100, (byte) 250, 90};
    byte[] blues = {0, 50, 77, 90};
    byte[] alphas = {0, (byte) 255, (byte) 128, (byte) 255};
    BufferedImage img =
        new BufferedImage(
            width,
            height,
            BufferedImage.TYPE_BYTE_INDEXED,
            new IndexColorModel(8, 4, reds, greens, blues, alphas));
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.getRaster().setSample(x, y, 0, (x / 4 + y / 4) % 4);
      }
    }
    return img;
  }

  /** A valid 1x1 PNG whose header (with a correct CRC) declares 100000 x 100000 pixels. */
  private static byte[] decompressionBomb() throws IOException {
    byte[] png = encode(new BufferedImage(1, 1, BufferedImage.TYPE_3BYTE_BGR), "png");
    ByteBuffer b = ByteBuffer.wrap(png);
    b.putInt(16, 100_000).putInt(20, 100_000);
    CRC32 crc = new CRC32();
    crc.update(png, 12, 17);
    b.putInt(29, (int) crc.getValue());
    return png;
  }

  private static byte[] encode(BufferedImage img, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(img, format, out), "no ImageIO writer for " + format);
    return out.toByteArray();
  }
}
