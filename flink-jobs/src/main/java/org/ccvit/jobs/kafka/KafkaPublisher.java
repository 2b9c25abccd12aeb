/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.ccvit.schemas.AvroCodec;
import org.ccvit.schemas.CodebookRecord;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.io.ImageSources;

/** Publishes image records (ingest) and codebooks to Kafka as Avro binary values. */
public final class KafkaPublisher implements AutoCloseable {

  /** What an ingest did: records sent, and the images refused with why. */
  public record IngestReport(long sent, List<String> refused) {}

  private final KafkaProducer<byte[], byte[]> producer;

  public KafkaPublisher(KafkaSettings kafka) {
    this.producer = new KafkaProducer<>(kafka.producerProperties());
  }

  /**
   * Sends every image of the inputs, {@code passes} times over (each pass is one more epoch for the
   * pre-training job), at most {@code limit} images per pass (0: all). Images whose record exceeds
   * the record size limit are refused, not sent, and listed.
   */
  public IngestReport publishImages(List<Path> inputs, String topic, int passes, long limit)
      throws IOException {
    AvroCodec<ImageRecord> codec = new AvroCodec<>(ImageRecord.class);
    List<Path> units = ImageSources.expand(inputs);
    List<String> refused = new ArrayList<>();
    long[] sent = {0};
    for (int pass = 0; pass < passes; pass++) {
      boolean firstPass = pass == 0;
      ImageSources.readAll(
          units,
          limit,
          record -> {
            byte[] value = codec.encode(record);
            if (value.length > KafkaSettings.MAX_RECORD_BYTES) {
              if (firstPass) {
                refused.add(
                    record.getKey()
                        + ": "
                        + value.length
                        + " bytes exceed the record limit of "
                        + KafkaSettings.MAX_RECORD_BYTES
                        + " bytes (re-encode or downscale it)");
              }
              return;
            }
            producer.send(
                new ProducerRecord<>(
                    topic, record.getKey().getBytes(StandardCharsets.UTF_8), value));
            sent[0]++;
          });
    }
    producer.flush();
    return new IngestReport(sent[0], refused);
  }

  public void publishCodebook(CodebookRecord codebook, String topic)
      throws ExecutionException, InterruptedException {
    byte[] value = new AvroCodec<>(CodebookRecord.class).encode(codebook);
    if (value.length > KafkaSettings.MAX_RECORD_BYTES) {
      throw new IllegalArgumentException(
          "codebook "
              + codebook.getVersion()
              + " is "
              + value.length
              + " bytes, above the record limit of "
              + KafkaSettings.MAX_RECORD_BYTES);
    }
    producer
        .send(
            new ProducerRecord<>(
                topic, codebook.getVersion().getBytes(StandardCharsets.UTF_8), value))
        .get();
  }

  @Override
  public void close() {
    producer.close();
  }
}
