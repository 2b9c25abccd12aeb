/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.ccvit.jobs.bench.FaissFlatSearch;
import org.ccvit.jobs.bench.OpenBlasKernel;
import org.ccvit.jobs.bench.TokenizerBenchmark;
import org.ccvit.jobs.options.ViewOptions;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.io.ImageSources;
import org.ccvit.tokenizer.search.ExactSearch;
import org.ccvit.tokenizer.search.ProjectedCodebook;
import org.ccvit.tokenizer.search.PrunedExactSearch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The exact tokenizer searches (and faiss) on the same patches, in one run. */
@Command(
    name = "tokenizer",
    mixinStandardHelpOptions = true,
    description =
        "Nearest-centroid search of the patches of deterministic center views: the brute-force"
            + " GEMM path (ExactSearch) against the pruned exact path (PrunedExactSearch, the"
            + " default), and with --faiss faiss's IndexFlatL2 through --python, on the same"
            + " patches. Prints images/s (best of --repeats) per thread count, the ratios, and"
            + " whether the ids are identical.")
final class BenchTokenizerCommand implements Callable<Integer> {

  @Mixin FaissOptions faissOptions;

  @Option(
      names = "--images",
      arity = "1..*",
      description =
          "Images, folders or shards (default: ${sys:ccvit.shared.dir}/datasets/imagenette-224/train-00000.tar.gz).")
  List<Path> images;

  @Option(
      names = "--limit",
      defaultValue = "512",
      description = "Images tokenized by the pruned path (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(
      names = "--baseline-limit",
      defaultValue = "64",
      description =
          "The first this many of them are also tokenized by the slow paths (default: ${DEFAULT-VALUE}).")
  int baselineLimit;

  @Option(
      names = "--codebook",
      description =
          "Codebook .npy; default: K distinct random patches of the next --codebook-images images.")
  Path codebookFile;

  @Option(
      names = "--k",
      defaultValue = "8192",
      description = "Size of the drawn codebook (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(
      names = "--codebook-images",
      defaultValue = "64",
      description = "Images after --limit the codebook is drawn from (default: ${DEFAULT-VALUE}).")
  int codebookImages;

  @Mixin ViewOptions view;

  @Option(
      names = "--threads",
      split = ",",
      defaultValue = "1,2",
      description = "Thread counts to measure (default: ${DEFAULT-VALUE}).")
  List<Integer> threads;

  @Option(
      names = "--repeats",
      defaultValue = "3",
      description = "Runs of each; the best counts (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of the drawn codebook (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    List<Path> inputs = images != null ? images : List.of(BenchCommand.defaultImages());
    if (baselineLimit > limit) {
      throw new IllegalArgumentException(
          "--baseline-limit " + baselineLimit + " exceeds --limit " + limit);
    }
    List<ImageRecord> records = new ArrayList<>();
    int wanted = limit + (codebookFile == null ? codebookImages : 0);
    ImageSources.readAll(ImageSources.expand(inputs), wanted, records::add);
    if (records.size() < wanted) {
      throw new IllegalArgumentException(
          inputs + " holds " + records.size() + " images, " + wanted + " needed");
    }
    Codebook codebook =
        codebookFile != null
            ? Codebook.readNpy(codebookFile, view.patchSize, 3)
            : TokenizerBenchmark.drawCodebook(
                records.subList(limit, wanted), view.imageSize, view.patchSize, k, seed);
    TokenizerBenchmark bench =
        new TokenizerBenchmark(records.subList(0, limit), view.imageSize, view.patchSize);
    System.out.printf(
        Locale.ROOT,
        "bench tokenizer: %d images (%d for the slow paths) from %s, %dpx center views, patch %d,"
            + " K=%d D=%d (%s), best of %d%n",
        limit,
        baselineLimit,
        inputs,
        view.imageSize,
        view.patchSize,
        codebook.k(),
        codebook.dim(),
        codebookFile != null
            ? codebookFile.toString()
            : "distinct random patches of images " + limit + ".." + (wanted - 1),
        repeats);

    long prepareStart = System.nanoTime();
    ProjectedCodebook prepared = ProjectedCodebook.of(codebook);
    System.out.printf(
        Locale.ROOT,
        "codebook preparation (PCA, projections): %.2f s, once per codebook%n",
        (System.nanoTime() - prepareStart) / 1e9);

    FaissFlatSearch.Result faissResult = null;
    if (faissOptions.faiss) {
      if (FaissFlatSearch.available(faissOptions.python)) {
        System.out.println("faiss BLAS kernel: " + OpenBlasKernel.reported(faissOptions.python));
        faissResult =
            FaissFlatSearch.run(
                faissOptions.python,
                codebook,
                bench.patches(baselineLimit),
                baselineLimit * bench.patchesPerImage(),
                threads,
                repeats);
      } else {
        System.out.println("faiss: " + faissOptions.python + " cannot import faiss; skipped");
      }
    }

    List<Line> lines = new ArrayList<>();
    Map<Integer, Double> gemmRates = new HashMap<>();
    Map<Integer, Double> faissRates = new HashMap<>();
    int[] prunedIds = null;
    int[] gemmIds = null;
    for (int t : threads) {
      PrunedExactSearch[] last = new PrunedExactSearch[1];
      TokenizerBenchmark.Run pruned =
          bench.best(
              "pruned (PrunedExactSearch)",
              () -> last[0] = new PrunedExactSearch(prepared),
              limit,
              t,
              repeats);
      TokenizerBenchmark.Run gemm =
          bench.best(
              "GEMM (ExactSearch)", () -> new ExactSearch(codebook), baselineLimit, t, repeats);
      prunedIds = pruned.ids();
      gemmIds = gemm.ids();
      gemmRates.put(t, gemm.imagesPerSecond());
      lines.add(new Line(gemm.path(), t, gemm.images(), gemm.imagesPerSecond()));
      lines.add(new Line(pruned.path(), t, pruned.images(), pruned.imagesPerSecond()));
      if (faissResult != null && faissResult.seconds().containsKey(t)) {
        double rate = baselineLimit / faissResult.seconds().get(t);
        faissRates.put(t, rate);
        lines.add(new Line("faiss IndexFlatL2", t, baselineLimit, rate));
      }
      if (t == threads.get(0)) {
        System.out.printf(
            Locale.ROOT,
            "pruned path: %.2f full distances and %.1f fine bounds per patch, of K=%d%n",
            (double) last[0].fullDistances() / last[0].pointsSearched(),
            (double) last[0].fineBounds() / last[0].pointsSearched(),
            codebook.k());
      }
    }
    System.out.println();
    System.out.println(
        "| path | threads | images | images/s | vs GEMM | vs faiss (same threads) |");
    System.out.println("|---|---:|---:|---:|---:|---:|");
    for (Line line : lines) {
      Double faissRate = faissRates.get(line.threads());
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %d | %.1f | %.2fx | %s |%n",
          line.path(),
          line.threads(),
          line.images(),
          line.rate(),
          line.rate() / gemmRates.get(line.threads()),
          faissRate == null ? "-" : String.format(Locale.ROOT, "%.2fx", line.rate() / faissRate));
    }
    System.out.println();
    int n = baselineLimit * bench.patchesPerImage();
    int[] prunedBaseline = Arrays.copyOf(prunedIds, n);
    System.out.printf(
        Locale.ROOT,
        "ids pruned == GEMM on %d patches: %b%n",
        n,
        Arrays.equals(prunedBaseline, gemmIds));
    if (faissResult != null) {
      int agree = 0;
      for (int i = 0; i < n; i++) {
        agree += faissResult.ids()[i] == prunedBaseline[i] ? 1 : 0;
      }
      System.out.printf(
          Locale.ROOT, "ids faiss (float32 GEMM form) == exact on %d of %d patches%n", agree, n);
    }
    return 0;
  }

  /** One row of the results table. */
  private record Line(String path, int threads, int images, double rate) {}
}
