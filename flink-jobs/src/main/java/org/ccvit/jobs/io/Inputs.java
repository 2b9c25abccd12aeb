/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.ccvit.jobs.kafka.CodebookRecordDeserializer;
import org.ccvit.jobs.kafka.ImageRecordDeserializer;
import org.ccvit.jobs.kafka.KafkaSettings;
import org.ccvit.schemas.CodebookRecord;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.io.ImageSources;
import org.ccvit.tokenizer.io.SeededReadOrder;

/** The inputs the jobs are built from: Kafka topics, image files and shards, codebook files. */
public final class Inputs {

  private Inputs() {}

  /**
   * Image records from a topic, from the earliest offset of a new consumer group. Bounded inputs
   * stop at the offsets current when the job starts (a finite run over what was ingested).
   */
  public static StreamInput<ImageRecord> kafkaImages(
      KafkaSettings kafka, String topic, String groupId, boolean bounded) {
    return kafkaImages(kafka, topic, groupId, bounded ? OffsetsInitializer.latest() : null);
  }

  /**
   * Image records from a topic, stopping at the offsets {@code stop} gives (which may not be
   * written yet), or never when it is null.
   */
  public static StreamInput<ImageRecord> kafkaImages(
      KafkaSettings kafka, String topic, String groupId, OffsetsInitializer stop) {
    return env ->
        env.fromSource(
                kafkaSource(kafka, topic, groupId, stop, new ImageRecordDeserializer()),
                WatermarkStrategy.noWatermarks(),
                "images: " + topic)
            .uid("images");
  }

  /** Codebook records from a topic; every new version is broadcast to the tokenizers. */
  public static StreamInput<CodebookRecord> kafkaCodebooks(
      KafkaSettings kafka, String topic, String groupId, boolean bounded) {
    return env ->
        env.fromSource(
                kafkaSource(
                    kafka,
                    topic,
                    groupId,
                    bounded ? OffsetsInitializer.latest() : null,
                    new CodebookRecordDeserializer()),
                WatermarkStrategy.noWatermarks(),
                "codebooks: " + topic)
            .uid("codebooks")
            .setParallelism(1);
  }

  private static <T> KafkaSource<T> kafkaSource(
      KafkaSettings kafka,
      String topic,
      String groupId,
      OffsetsInitializer stop,
      KafkaRecordDeserializationSchema<T> deserializer) {
    KafkaSourceBuilder<T> builder =
        KafkaSource.<T>builder()
            .setBootstrapServers(kafka.bootstrapServers())
            .setTopics(topic)
            .setGroupId(groupId)
            .setProperties(kafka.consumerProperties())
            .setStartingOffsets(OffsetsInitializer.earliest())
            .setDeserializer(deserializer);
    if (stop != null) {
      builder.setBounded(stop);
    }
    return builder.build();
  }

  /**
   * Image files, folders and WebDataset shards, read {@code passes} times in full (each pass is one
   * epoch). Shards are the unit of parallelism.
   */
  public static StreamInput<ImageRecord> imageFiles(List<Path> inputs, int passes) {
    return imageFiles(inputs, passes, null);
  }

  /**
   * As {@link #imageFiles(List, int)}, each pass's files and shards in the seeded order {@code
   * order} gives that pass (a shard's images stay in the shard's order), or in their own order when
   * it is null.
   */
  public static StreamInput<ImageRecord> imageFiles(
      List<Path> inputs, int passes, SeededReadOrder order) {
    List<Path> once = ImageSources.expand(inputs); // lists what it leaves out once, not per pass
    List<String> units = new ArrayList<>();
    for (int pass = 0; pass < passes; pass++) {
      (order == null ? once : order.units(once, pass)).forEach(p -> units.add(p.toString()));
    }
    return env ->
        env.fromData(units)
            .name("image files")
            .rebalance()
            .flatMap(new ReadImageUnit())
            .name("read images")
            .returns(new AvroTypeInfo<>(ImageRecord.class));
  }

  /** One codebook read from a {@code centroids.npy} file (validated now, at job build time). */
  public static StreamInput<CodebookRecord> codebookFile(
      Path npy, int patchSize, int channels, Map<String, String> provenance) {
    CodebookRecord record = Codebook.readNpy(npy, patchSize, channels).toRecord(provenance);
    return env ->
        env.fromData(List.of(record), new AvroTypeInfo<>(CodebookRecord.class))
            .name("codebook: " + npy.getFileName())
            .uid("codebook-file")
            .setParallelism(1);
  }
}
