/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.ccvit.infra.EmbeddedKafka;
import org.ccvit.jobs.kafka.KafkaPublisher;
import org.ccvit.jobs.kafka.KafkaPublisher.Oversize;
import org.ccvit.jobs.kafka.KafkaPublisher.RecordLimit;
import org.ccvit.jobs.kafka.KafkaSettings;
import org.ccvit.schemas.AvroCodec;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.SharedData;
import org.ccvit.tokenizer.image.ImageDecoder;
import org.ccvit.tokenizer.image.ImageLimits;
import org.ccvit.tokenizer.image.RgbImage;
import org.ccvit.tokenizer.io.ImageSources;
import org.junit.jupiter.api.Test;

/** Ingest of photos larger than the record limit: refused with a reason, or downscaled to fit. */
class IngestOversizeTest {

  private static final int LIMIT = 250_000;

  @Test
  void oversizeImagesAreRefusedOrDownscaledToFit() throws Exception {
    Path photos = SharedData.dataset("photos/images");
    AvroCodec<ImageRecord> codec = new AvroCodec<>(ImageRecord.class);
    List<ImageRecord> records = new ArrayList<>();
    ImageSources.readAll(ImageSources.expand(List.of(photos)), 0, records::add);
    long total = records.size();
    long large = records.stream().filter(r -> codec.encode(r).length > LIMIT).count();
    assertTrue(large > 0, "no photo above " + LIMIT + " bytes");

    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(1, "refused", "downscaled");
      KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers());
      try (KafkaPublisher publisher = new KafkaPublisher(settings)) {
        KafkaPublisher.IngestReport refused =
            publisher.publishImages(
                List.of(photos), "refused", 1, 0, new RecordLimit(LIMIT, Oversize.REFUSE));
        assertEquals(large, refused.refused().size(), refused.refused().toString());
        assertEquals(total - large, refused.sent());
        assertTrue(refused.refused().get(0).contains("exceed the record limit of " + LIMIT));
        assertTrue(refused.refused().get(0).contains("--oversize downscale"));

        KafkaPublisher.IngestReport downscaled =
            publisher.publishImages(
                List.of(photos), "downscaled", 1, 0, new RecordLimit(LIMIT, Oversize.DOWNSCALE));
        assertEquals(total, downscaled.sent());
        assertEquals(large, downscaled.downscaled().size());
        assertTrue(downscaled.refused().isEmpty());
      }

      Map<String, ImageRecord> received = read(settings, "downscaled", (int) total);
      assertEquals(total, received.size());
      ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults());
      long marked = 0;
      for (ImageRecord r : received.values()) {
        assertTrue(codec.encode(r).length <= LIMIT, r.getKey());
        byte[] bytes = new byte[r.getImage().remaining()];
        r.getImage().duplicate().get(bytes);
        RgbImage image = decoder.decode(bytes);
        if (r.getSource().contains("downscaled")) {
          marked++;
          assertTrue(image.width() < 1024 && image.height() < 1024, r.getSource());
        }
      }
      assertEquals(large, marked);
    }
  }

  private static Map<String, ImageRecord> read(KafkaSettings settings, String topic, int count)
      throws Exception {
    Properties props = settings.consumerProperties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "oversize-reader");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    AvroCodec<ImageRecord> codec = new AvroCodec<>(ImageRecord.class);
    Map<String, ImageRecord> out = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          ImageRecord image = codec.decode(r.value());
          out.put(image.getKey(), image);
        }
      }
    }
    return out;
  }
}
