/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.ccvit.schemas.AvroCodec;
import org.ccvit.schemas.RejectRecord;

/** Writes rejects to their topic keyed by sample key. A class, not a lambda: type extraction. */
public final class RejectRecordSerializer implements KafkaRecordSerializationSchema<RejectRecord> {

  private final String topic;
  private transient AvroCodec<RejectRecord> codec;

  public RejectRecordSerializer(String topic) {
    this.topic = topic;
  }

  /** A sink writing rejects to the topic; at least once, as a reject seen twice does no harm. */
  public static KafkaSink<RejectRecord> sink(KafkaSettings kafka, String topic) {
    return KafkaSink.<RejectRecord>builder()
        .setBootstrapServers(kafka.bootstrapServers())
        .setKafkaProducerConfig(kafka.sinkProperties())
        .setRecordSerializer(new RejectRecordSerializer(topic))
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .build();
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      RejectRecord reject, KafkaSinkContext context, Long timestamp) {
    if (codec == null) {
      codec = new AvroCodec<>(RejectRecord.class);
    }
    return new ProducerRecord<>(
        topic, reject.getKey().getBytes(StandardCharsets.UTF_8), codec.encode(reject));
  }
}
