/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.ccvit.jobs.bench.ShuffleBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The trainer's shuffle buffer: how it mixes a class-sorted stream, and what it costs. */
@Command(
    name = "shuffle",
    mixinStandardHelpOptions = true,
    description =
        "Mean label entropy per batch of labelled images sorted by label, through shuffle"
            + " buffers of several sizes, against ingest --shuffle and uniform draws; the"
            + " buffer's throughput and what it adds to a checkpoint.")
final class BenchShuffleCommand implements Callable<Integer> {

  @Option(
      names = "--images",
      arity = "1..*",
      description = "Labelled WebDataset shards (default: the shared CIFAR-10 training shards).")
  List<Path> images;

  @Option(
      names = "--batch-size",
      defaultValue = "16",
      description = "Samples per batch (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--buffers",
      split = ",",
      defaultValue = "0,256,1024,4096,16384",
      description = "Buffer sizes (default: ${DEFAULT-VALUE}).")
  List<Integer> buffers;

  @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--trials",
      defaultValue = "200",
      description = "Uniform orders for the reference (default: ${DEFAULT-VALUE}).")
  int trials;

  @Option(
      names = "--image-size",
      defaultValue = "224",
      description = "View of the samples whose cost is measured (default: ${DEFAULT-VALUE}).")
  int imageSize;

  @Option(
      names = "--patch-size",
      defaultValue = "16",
      description = "Patch size of that view (default: ${DEFAULT-VALUE}).")
  int patchSize;

  @Override
  public Integer call() throws Exception {
    List<Path> inputs = images;
    if (inputs == null) {
      Path cifar =
          Path.of(System.getProperty("ccvit.shared.dir", "../shared")).resolve("datasets/cifar10");
      inputs =
          List.of(
              cifar.resolve("train-00000.tar.gz"),
              cifar.resolve("train-00001.tar.gz"),
              cifar.resolve("train-00002.tar.gz"),
              cifar.resolve("train-00003.tar.gz"),
              cifar.resolve("train-00004.tar.gz"));
    }
    new ShuffleBenchmark(
            new ShuffleBenchmark.Settings(
                inputs, batchSize, buffers, seed, trials, imageSize, patchSize, 256),
            System.out)
        .run();
    return 0;
  }
}
