/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.kafka;

import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.ccvit.schemas.AvroCodec;
import org.ccvit.schemas.CodebookRecord;

/** Reads codebook records; a codebook that does not parse fails the job with its position. */
public final class CodebookRecordDeserializer
    implements KafkaRecordDeserializationSchema<CodebookRecord> {

  private transient AvroCodec<CodebookRecord> codec;

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<CodebookRecord> out)
      throws IOException {
    if (codec == null) {
      codec = new AvroCodec<>(CodebookRecord.class);
    }
    try {
      out.collect(codec.decode(record.value()));
    } catch (IOException | RuntimeException e) {
      throw new IOException(
          "codebook topic "
              + record.topic()
              + " holds a value at partition "
              + record.partition()
              + " offset "
              + record.offset()
              + " that is not a CodebookRecord; publish codebooks with ./ccvit codebook",
          e);
    }
  }

  @Override
  public TypeInformation<CodebookRecord> getProducedType() {
    return new AvroTypeInfo<>(CodebookRecord.class);
  }
}
