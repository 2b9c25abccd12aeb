/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.kafka;

import java.io.Serializable;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Where the Kafka cluster is and the record size the project's producers allow. */
public record KafkaSettings(String bootstrapServers) implements Serializable {

  /**
   * Encoded images can exceed Kafka's 1 MB default; the broker's message.max.bytes and the topic's
   * max.message.bytes must allow this too (see README).
   */
  public static final int MAX_RECORD_BYTES = 32 * 1024 * 1024;

  public Properties producerProperties() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_RECORD_BYTES);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return props;
  }

  public Properties consumerProperties() {
    Properties props = new Properties();
    props.put("max.partition.fetch.bytes", String.valueOf(MAX_RECORD_BYTES));
    props.put("fetch.max.bytes", String.valueOf(MAX_RECORD_BYTES));
    return props;
  }
}
