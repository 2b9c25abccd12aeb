/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import org.ccvit.jobs.bench.PipelineBenchmark;
import org.ccvit.jobs.options.ViewOptions;
import org.ccvit.jobs.options.WebUiOptions;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.PipelineStage;
import org.ccvit.tokenizer.StageTimes;
import org.ccvit.tokenizer.TokenizerConfig;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.io.ImageSources;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Plain loop against the Flink job on the same images, cores and configuration. */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description =
        "Decode, augment, tokenize, mask and Avro-serialize the same images as a plain loop and"
            + " as the pre-training job on a local MiniCluster, at each --parallelism. Prints the"
            + " time per sample of every stage, samples/s per core (by wall clock and per"
            + " CPU-second), and the Flink/plain-loop ratio. Both are timed from the first"
            + " sample's serialization to the last's, without start-up or preparing the search"
            + " index; the start-up columns include them. Each figure is the best of --repeats.")
final class BenchPipelineCommand implements Callable<Integer> {

  @Mixin ViewOptions view;

  @Mixin WebUiOptions webUi;

  @Option(
      names = "--images",
      arity = "1..*",
      description =
          "Images, folders or shards (default: ${sys:ccvit.shared.dir}/datasets/imagenette-224/train-00000.tar.gz).")
  List<Path> images;

  @Option(
      names = "--limit",
      defaultValue = "200",
      description = "Images to use (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(
      names = "--codebook",
      description = "Codebook .npy; default: K random patches of the images (--k).")
  Path codebook;

  @Option(
      names = "--k",
      defaultValue = "8192",
      description = "Size of the drawn codebook (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(
      names = "--parallelism",
      split = ",",
      defaultValue = "1,2",
      description = "Threads / Flink parallelism to measure (default: ${DEFAULT-VALUE}).")
  List<Integer> parallelism;

  @Option(
      names = "--repeats",
      defaultValue = "3",
      description = "Runs of each; the best counts (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Run seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    List<Path> inputs = images != null ? images : List.of(BenchCommand.defaultImages());
    List<ImageRecord> records = new ArrayList<>();
    ImageSources.readAll(ImageSources.expand(inputs), limit, records::add);
    TokenizerConfig config = TokenizerConfig.forSize(view.imageSize, view.patchSize, seed);
    Codebook cb =
        codebook != null
            ? Codebook.readNpy(codebook, view.patchSize, 3)
            : PipelineBenchmark.quickCodebook(records, config, k, seed);
    Path work = Files.createTempDirectory("ccvit-bench-pipeline");
    PipelineBenchmark bench =
        new PipelineBenchmark(config, cb, records, work, webUi.settings(null));
    webUi.announce(null);
    System.out.printf(
        Locale.ROOT,
        "bench pipeline: %d images from %s, %dpx, patch %d, K=%d (%s), %d masked + %d replaced,"
            + " best of %d%n",
        records.size(),
        inputs,
        view.imageSize,
        view.patchSize,
        cb.k(),
        cb.version(),
        config.numMasked(),
        config.numReplaced(),
        repeats);
    // Warm-up of both sides: JIT-compile the sample path and Flink's own before any timing.
    bench.plainLoop(1, new StageTimes());
    bench.flinkJob(1);

    StageTimes stages = new StageTimes();
    List<String> rows = new ArrayList<>();
    for (int p : parallelism) {
      List<PipelineBenchmark.Run> plain = new ArrayList<>();
      List<PipelineBenchmark.Run> flink = new ArrayList<>();
      for (int r = 0; r < repeats; r++) {
        plain.add(bench.plainLoop(p, p == 1 ? stages : new StageTimes()));
        flink.add(bench.flinkJob(p));
      }
      rows.add(row(plain, plain));
      rows.add(row(flink, plain));
    }
    System.out.println();
    System.out.println("| stage | µs per sample (plain loop, 1 thread) |");
    System.out.println("|---|---:|");
    double total = 0;
    for (PipelineStage stage : PipelineStage.values()) {
      total += stages.meanMicros(stage);
      System.out.printf(Locale.ROOT, "| %s | %.0f |%n", stage.label(), stages.meanMicros(stage));
    }
    System.out.printf(Locale.ROOT, "| total | %.0f |%n", total);
    System.out.println();
    System.out.println(
        "| run | parallelism | samples/s | samples/s per core | Flink / plain loop"
            + " | incl. start-up: samples/s, ratio | samples per CPU-second | ratio (CPU)"
            + " | Avro bytes per sample |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    rows.forEach(System.out::println);
    return 0;
  }

  /**
   * One row: each figure is the best of the repeats on its own (on a shared machine, wall time and
   * CPU time are disturbed in different runs); ratios compare the best of one side to the best of
   * the plain loop.
   */
  private static String row(List<PipelineBenchmark.Run> runs, List<PipelineBenchmark.Run> plain) {
    PipelineBenchmark.Run first = runs.get(0);
    double perSecond = best(runs, PipelineBenchmark.Run::samplesPerSecond);
    double withStartUp = best(runs, PipelineBenchmark.Run::samplesPerSecondWithStartUp);
    double perCpuSecond = best(runs, PipelineBenchmark.Run::samplesPerCpuSecond);
    return String.format(
        Locale.ROOT,
        "| %s | %d | %.1f | %.1f | %.2f | %.1f, %.2f | %.1f | %.2f | %.0f |",
        first.mode(),
        first.parallelism(),
        perSecond,
        perSecond / first.parallelism(),
        perSecond / best(plain, PipelineBenchmark.Run::samplesPerSecond),
        withStartUp,
        withStartUp / best(plain, PipelineBenchmark.Run::samplesPerSecondWithStartUp),
        perCpuSecond,
        perCpuSecond / best(plain, PipelineBenchmark.Run::samplesPerCpuSecond),
        first.bytesPerSample());
  }

  private static double best(
      List<PipelineBenchmark.Run> runs, ToDoubleFunction<PipelineBenchmark.Run> throughput) {
    return runs.stream().mapToDouble(throughput).max().orElseThrow();
  }
}
