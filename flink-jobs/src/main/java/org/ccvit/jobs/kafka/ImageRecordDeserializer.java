/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.ccvit.schemas.AvroCodec;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.schemas.UnknownWriterSchemaException;
import org.ccvit.tokenizer.flink.TokenizeMaskFunction;

/**
 * Reads image records from Kafka, written by this release or an earlier one ({@link AvroCodec}). A
 * value that does not parse, or names a schema this release does not know, is not dropped: it
 * becomes a record marked {@link TokenizeMaskFunction#UNPARSEABLE_FORMAT} whose source says where
 * it was and why, so the tokenizer rejects it with its key while the job runs on.
 */
public final class ImageRecordDeserializer
    implements KafkaRecordDeserializationSchema<ImageRecord> {

  private transient AvroCodec<ImageRecord> codec;

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ImageRecord> out) {
    if (codec == null) {
      codec = new AvroCodec<>(ImageRecord.class);
    }
    String position = record.topic() + "-" + record.partition() + "@" + record.offset();
    byte[] value = record.value() == null ? new byte[0] : record.value();
    try {
      out.collect(codec.decode(value));
    } catch (Exception e) {
      String key =
          record.key() == null ? position : new String(record.key(), StandardCharsets.UTF_8);
      String why =
          e instanceof UnknownWriterSchemaException
              ? e.getMessage() + "; a release that knows this schema reads it"
              : "value is not an ImageRecord (" + e + ")";
      out.collect(
          ImageRecord.newBuilder()
              .setKey(key)
              .setImage(ByteBuffer.wrap(value))
              .setFormat(TokenizeMaskFunction.UNPARSEABLE_FORMAT)
              .setSource(position + ": " + why)
              .build());
    }
  }

  @Override
  public TypeInformation<ImageRecord> getProducedType() {
    return new AvroTypeInfo<>(ImageRecord.class);
  }
}
