/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ccvit.jobs.FlinkEnvironments;
import org.ccvit.jobs.codebook.CodebookJob;
import org.ccvit.jobs.codebook.WorkDirectory;
import org.ccvit.jobs.io.Inputs;
import org.ccvit.jobs.kafka.KafkaPublisher;
import org.ccvit.jobs.kafka.KafkaSettings;
import org.ccvit.tokenizer.kmeans.KMeansConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The bounded codebook job. */
@Command(
    name = "codebook",
    mixinStandardHelpOptions = true,
    description = {
      "Build a k-means codebook of raw patches (faiss semantics: seeded init from K distinct",
      "points, fixed iterations, empty clusters split) with a bounded Flink job, and write it",
      "in the original centroids.npy layout (float32 [K, 3*P*P], C x P x P order); optionally",
      "publish it to a Kafka topic for running pre-training jobs."
    })
final class CodebookCommand implements Callable<Integer> {

  @Mixin ViewOptions view;

  @Option(
      names = "--images",
      arity = "1..*",
      required = true,
      description = "Image files, folders or WebDataset shards.")
  List<Path> images;

  @Option(names = "--out", required = true, description = "Output centroids.npy file.")
  Path out;

  @Option(
      names = "--k",
      defaultValue = "8192",
      description = "Number of centroids (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(
      names = "--iterations",
      defaultValue = "20",
      description = "k-means iterations (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "k-means seed, as faiss's Clustering.seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--max-points-per-centroid",
      defaultValue = "10000000",
      description =
          "Subsample above K times this many points, as faiss (default: ${DEFAULT-VALUE}, the original's).")
  int maxPointsPerCentroid;

  @Option(
      names = "--patches-per-image",
      defaultValue = "0",
      description = "Patches sampled per image, 0 = all (default: ${DEFAULT-VALUE}).")
  int patchesPerImage;

  @Option(
      names = "--parallelism",
      defaultValue = "2",
      description = "Flink parallelism (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = "--work-dir",
      description = {
        "Room for the patch sample (~3 KB per patch) and per-iteration partial sums, deleted",
        "afterwards; must be shared by all TaskManagers on a cluster (default: the system's",
        "temporary folder)."
      })
  Path workDir = Path.of(System.getProperty("java.io.tmpdir"));

  @Option(
      names = "--bootstrap-servers",
      description = "Kafka to publish the codebook record to (optional).")
  String bootstrapServers;

  @Option(
      names = "--topic",
      defaultValue = "ccvit-codebooks",
      description = "Codebook topic (default: ${DEFAULT-VALUE}).")
  String topic;

  /** Set after a run: the version of the codebook written. */
  String builtVersion;

  @Override
  public Integer call() throws Exception {
    CodebookJob job =
        new CodebookJob(
            new CodebookJob.Settings(
                view.imageSize,
                view.patchSize,
                patchesPerImage,
                new KMeansConfig(k, iterations, seed, maxPointsPerCentroid),
                seed),
            Inputs.imageFiles(images, 1));
    // The bounded job takes no checkpoints; the directory only has to exist while it runs.
    Path checkpoints = Files.createTempDirectory(workDir, "ccvit-codebook-checkpoints");
    CodebookJob.Result result;
    try {
      result =
          job.run(
              FlinkEnvironments.create(parallelism, checkpoints.toString(), 0),
              workDir,
              it ->
                  System.out.printf(
                      Locale.ROOT,
                      "codebook: iteration %d objective %.6g empty clusters split %d (%.2f s)%n",
                      it.iteration(),
                      it.objective(),
                      it.emptyClustersSplit(),
                      it.seconds()));
    } finally {
      WorkDirectory.deleteTree(checkpoints);
    }
    result.rejects().forEach(r -> System.out.println("codebook: rejected " + r));
    Path parent = out.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    result.codebook().writeNpy(out);
    builtVersion = result.codebook().version();
    System.out.printf(
        "codebook: %s K=%d from %d images (%d rejected) -> %s%n",
        builtVersion, result.codebook().k(), result.images(), result.rejects().size(), out);
    if (bootstrapServers != null) {
      try (KafkaPublisher publisher = new KafkaPublisher(new KafkaSettings(bootstrapServers))) {
        publisher.publishCodebook(
            result.codebook().toRecord(job.provenance(result, images)), topic);
      }
      System.out.printf("codebook: published %s to %s%n", builtVersion, topic);
    }
    return 0;
  }
}
