/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.codebook;

import java.nio.file.Path;
import java.util.List;
import org.ccvit.jobs.options.KafkaClientOptions;
import org.ccvit.jobs.options.ViewOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What the codebook job is given, as options of {@code ccvit codebook} and {@link
 * CodebookJob#main}.
 */
public final class CodebookOptions {

  @Mixin public ViewOptions view;

  @Option(
      names = "--images",
      arity = "1..*",
      required = true,
      description = "Image files, folders or WebDataset shards.")
  public List<Path> images;

  @Option(names = "--out", required = true, description = "Output centroids.npy file.")
  public Path out;

  @Option(
      names = "--k",
      defaultValue = "8192",
      description = "Number of centroids (default: ${DEFAULT-VALUE}).")
  public int k;

  @Option(
      names = "--iterations",
      defaultValue = "20",
      description = "k-means iterations (default: ${DEFAULT-VALUE}).")
  public int iterations;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "k-means seed, as faiss's Clustering.seed (default: ${DEFAULT-VALUE}).")
  public long seed;

  @Option(
      names = "--max-points-per-centroid",
      defaultValue = "10000000",
      description =
          "Subsample above K times this many points, as faiss (default: ${DEFAULT-VALUE}, the original's).")
  public int maxPointsPerCentroid;

  @Option(
      names = "--patches-per-image",
      defaultValue = "0",
      description = "Patches sampled per image, 0 = all (default: ${DEFAULT-VALUE}).")
  public int patchesPerImage;

  @Option(
      names = "--parallelism",
      defaultValue = "2",
      description = "Flink parallelism (default: ${DEFAULT-VALUE}).")
  public int parallelism;

  @Option(
      names = "--work-dir",
      description = {
        "Room for the patch sample (~3 KB per patch) and per-iteration partial sums, deleted",
        "afterwards; must be shared by all TaskManagers on a cluster (default: the system's",
        "temporary folder)."
      })
  public Path workDir = Path.of(System.getProperty("java.io.tmpdir"));

  @Option(
      names = "--bootstrap-servers",
      description = "Kafka to publish the codebook record to (optional).")
  public String bootstrapServers;

  @Mixin public KafkaClientOptions kafkaClient = new KafkaClientOptions();

  @Option(
      names = "--topic",
      defaultValue = "ccvit-codebooks",
      description = "Codebook topic (default: ${DEFAULT-VALUE}).")
  public String topic;
}
