/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.infra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaTest {

  @Test
  void recordsLargerThanKafkasDefaultLimitRoundTrip() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(2, "images");
      byte[] big = new byte[3 * 1024 * 1024];
      for (int i = 0; i < big.length; i++) {
        big[i] = (byte) (i * 31);
      }
      Map<String, Object> producerProps =
          Map.of(
              ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
              kafka.bootstrapServers(),
              ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
              EmbeddedKafka.MAX_MESSAGE_BYTES);
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(
              producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
        producer.send(new ProducerRecord<>("images", "k".getBytes(), big)).get();
      }
      Map<String, Object> consumerProps =
          Map.of(
              ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
              ConsumerConfig.GROUP_ID_CONFIG, "test",
              ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      List<ConsumerRecord<byte[], byte[]>> received = new ArrayList<>();
      try (KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(
              consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        consumer.subscribe(List.of("images"));
        long deadline = System.currentTimeMillis() + 30_000;
        while (received.isEmpty() && System.currentTimeMillis() < deadline) {
          consumer.poll(Duration.ofMillis(200)).forEach(received::add);
        }
      }
      assertEquals(1, received.size());
      assertArrayEquals(big, received.get(0).value());
    }
  }
}
