/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.ccvit.jobs.kafka.KafkaPublisher;
import org.ccvit.jobs.options.KafkaClientOptions;
import org.ccvit.jobs.report.Progress;
import org.ccvit.tokenizer.io.ImageSources;
import org.ccvit.tokenizer.io.SeededReadOrder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Images from folders, files or WebDataset shards to a Kafka topic of image records. */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description =
        "Publish images (folders, .jpg/.png files, WebDataset .tar/.tar.gz shards) to a"
            + " Kafka topic as Avro ImageRecord values keyed by sample key.")
final class IngestCommand implements Callable<Integer> {

  @Option(names = "--bootstrap-servers", required = true, description = "Kafka bootstrap servers.")
  String bootstrapServers;

  @Mixin KafkaClientOptions kafkaClient = new KafkaClientOptions();

  @Option(
      names = "--topic",
      defaultValue = "ccvit-images",
      description = "Target topic (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(
      names = "--passes",
      defaultValue = "1",
      description =
          "Send the images this many times; the n-th copy of a key is epoch n (default: ${DEFAULT-VALUE}).")
  int passes;

  @Option(
      names = "--limit",
      defaultValue = "0",
      description = "At most this many images per pass; 0 means all (default: ${DEFAULT-VALUE}).")
  long limit;

  @Option(
      names = "--max-record-bytes",
      defaultValue = "1000000",
      description =
          "Largest record to send: the broker's message.max.bytes (or the topic's"
              + " max.message.bytes) less ~1 KB; Kafka's default allows 1 MB"
              + " (default: ${DEFAULT-VALUE}).")
  int maxRecordBytes;

  @Option(
      names = "--oversize",
      defaultValue = "refuse",
      description =
          "What to do with a larger image: refuse (list it, send nothing) or downscale"
              + " (re-encode as a smaller JPEG until it fits) (default: ${DEFAULT-VALUE}).")
  KafkaPublisher.Oversize oversize;

  @Option(
      names = "--shuffle",
      description =
          "Send each pass in its own seeded random order (image files in a uniform order; shards"
              + " in a shuffled order, each shard's images shuffled), so the topic does not start"
              + " class-sorted. Not with --limit.")
  boolean shuffle;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of the --shuffle order (default: ${DEFAULT-VALUE}).")
  long seed;

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Image files, folders or shards.")
  List<Path> inputs;

  @Override
  public Integer call() throws Exception {
    // Inputs are checked before any connection to the broker: a bad path fails at once.
    long images = ImageSources.imageCountIfKnown(ImageSources.scan(inputs).units());
    long perPass = limit > 0 && images > 0 ? Math.min(limit, images) : images;
    try (KafkaPublisher publisher = new KafkaPublisher(kafkaClient.settings(bootstrapServers));
        Progress progress = Progress.start("ingest", "images", perPass * passes)) {
      KafkaPublisher.IngestReport report =
          publisher.publishImages(
              inputs,
              topic,
              passes,
              limit,
              new KafkaPublisher.RecordLimit(maxRecordBytes, oversize),
              shuffle ? new SeededReadOrder(seed) : null,
              progress::step);
      System.out.printf("ingest: %d records sent to %s%n", report.sent(), topic);
      report.downscaled().forEach(r -> System.out.println("ingest: downscaled " + r));
      report.refused().forEach(r -> System.out.println("ingest: refused " + r));
    }
    return 0;
  }
}
