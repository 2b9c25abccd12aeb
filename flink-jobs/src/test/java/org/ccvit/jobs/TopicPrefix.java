/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs;

import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.common.TopicPartition;
import org.ccvit.jobs.io.StreamInput;
import org.ccvit.jobs.kafka.KafkaSettings;

/**
 * The first records of a one-partition topic, up to an offset that may not be written yet: a test
 * publishes while the job runs and still gets a job that ends.
 */
final class TopicPrefix {

  private TopicPrefix() {}

  static <T> StreamInput<T> upTo(
      KafkaSettings kafka,
      String topic,
      long end,
      KafkaRecordDeserializationSchema<T> deserializer,
      String uid) {
    return env ->
        env.fromSource(
                KafkaSource.<T>builder()
                    .setBootstrapServers(kafka.bootstrapServers())
                    .setTopics(topic)
                    .setGroupId("test-" + topic)
                    .setProperties(kafka.consumerProperties())
                    .setStartingOffsets(OffsetsInitializer.earliest())
                    .setBounded(
                        OffsetsInitializer.offsets(Map.of(new TopicPartition(topic, 0), end)))
                    .setDeserializer(deserializer)
                    .build(),
                WatermarkStrategy.noWatermarks(),
                uid + ": " + topic)
            .uid(uid)
            .setParallelism(1);
  }
}
