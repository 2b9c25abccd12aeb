/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.ccvit.jobs.options.ViewOptions;
import org.ccvit.jobs.report.Progress;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.CenterViewPatches;
import org.ccvit.tokenizer.RejectedInputException;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.image.ImageLimits;
import org.ccvit.tokenizer.io.ImageSources;
import org.ccvit.tokenizer.npy.Npy;
import org.ccvit.tokenizer.search.NearestCentroidSearch;
import org.ccvit.tokenizer.search.ProjectedCodebook;
import org.ccvit.tokenizer.search.PrunedExactSearch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Centroid ids of the deterministic view of each image. */
@Command(
    name = "tokenize",
    mixinStandardHelpOptions = true,
    description =
        "Tokenize images with a codebook: a deterministic view per image (an image "
            + "already at the model size as is; others: shorter side resized to size*8/7 "
            + "bicubic, then center crop), exact nearest-centroid ids as int32 [images, "
            + "patches] in input order. Images that fail to decode get a row of -1 and are "
            + "listed. Prints images/s and codebook usage.")
final class TokenizeCommand implements Callable<Integer> {

  @Mixin ViewOptions view;

  private static final int CHUNK = 256;

  @Option(
      names = "--codebook",
      required = true,
      description = "Codebook, original centroids.npy layout.")
  Path codebookFile;

  @Option(
      names = "--images",
      arity = "1..*",
      required = true,
      description = "Image files, folders or WebDataset shards.")
  List<Path> images;

  @Option(
      names = "--out",
      required = true,
      description = "Output ids.npy (int32 [images, patches]).")
  Path out;

  @Option(
      names = "--threads",
      defaultValue = "2",
      description = "Worker threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Override
  public Integer call() throws Exception {
    Codebook codebook = Codebook.readNpy(codebookFile, view.patchSize, 3);
    CenterViewPatches centerView =
        new CenterViewPatches(view.imageSize, view.patchSize, ImageLimits.defaults());
    int patches = centerView.patchesPerImage();
    // One preparation of the codebook, shared by the per-thread searches.
    ProjectedCodebook prepared = ProjectedCodebook.of(codebook);
    ThreadLocal<NearestCentroidSearch> search =
        ThreadLocal.withInitial(() -> new PrunedExactSearch(prepared));
    List<int[]> rows = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    List<ImageRecord> chunk = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Path> units = ImageSources.expand(images);
    long start = System.nanoTime();
    try (Progress progress =
        Progress.start("tokenize", "images", ImageSources.imageCountIfKnown(units))) {
      ImageSources.readAll(
          units,
          0,
          record -> {
            chunk.add(record);
            if (chunk.size() == CHUNK) {
              tokenizeChunk(chunk, centerView, search, pool, rows, failures);
              progress.stepBy(CHUNK);
            }
          });
      progress.stepBy(chunk.size());
      tokenizeChunk(chunk, centerView, search, pool, rows, failures);
    } finally {
      pool.shutdown();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    int[] ids = new int[rows.size() * patches];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(rows.get(i), 0, ids, i * patches, patches);
    }
    Path parent = out.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Npy.writeInt32(out, ids, rows.size(), patches);
    failures.forEach(f -> System.out.println("tokenize: failed " + f));
    System.out.printf(
        Locale.ROOT,
        "tokenize: %d images (%d failed) in %.2f s = %.1f images/s -> %s%n",
        rows.size(),
        failures.size(),
        seconds,
        rows.size() / seconds,
        out);
    printUsage(ids, codebook.k());
    return 0;
  }

  private static void tokenizeChunk(
      List<ImageRecord> chunk,
      CenterViewPatches centerView,
      ThreadLocal<NearestCentroidSearch> search,
      ExecutorService pool,
      List<int[]> rows,
      List<String> failures) {
    List<Future<int[]>> results = new ArrayList<>();
    for (ImageRecord record : chunk) {
      results.add(
          pool.submit(
              () -> {
                byte[] bytes = new byte[record.getImage().remaining()];
                record.getImage().duplicate().get(bytes);
                try {
                  return search
                      .get()
                      .assign(centerView.extract(bytes), centerView.patchesPerImage());
                } catch (RejectedInputException e) {
                  return null;
                }
              }));
    }
    for (int i = 0; i < chunk.size(); i++) {
      int[] ids;
      try {
        ids = results.get(i).get();
      } catch (Exception e) {
        throw new UncheckedIOException(
            new IOException("tokenizing " + chunk.get(i).getKey() + " failed", e));
      }
      if (ids == null) {
        ImageRecord failed = chunk.get(i);
        failures.add(failed.getKey() + " (" + failed.getSource() + ")");
        ids = new int[centerView.patchesPerImage()];
        Arrays.fill(ids, -1);
      }
      rows.add(ids);
    }
    chunk.clear();
  }

  /** Distinct ids used and the share of the most frequent ones: a collapsed codebook shows. */
  private static void printUsage(int[] ids, int k) {
    long[] counts = new long[k];
    long total = 0;
    for (int id : ids) {
      if (id >= 0) {
        counts[id]++;
        total++;
      }
    }
    long distinct = Arrays.stream(counts).filter(c -> c > 0).count();
    long[] sorted = counts.clone();
    Arrays.sort(sorted);
    long top10 = 0;
    for (int i = 0; i < Math.min(10, k); i++) {
      top10 += sorted[k - 1 - i];
    }
    System.out.printf(
        Locale.ROOT,
        "tokenize: codebook usage %d of %d ids; the 10 most frequent ids hold %.2f%% of %d"
            + " tokens (most frequent alone %.2f%%)%n",
        distinct,
        k,
        total == 0 ? 0 : 100.0 * top10 / total,
        total,
        total == 0 ? 0 : 100.0 * sorted[k - 1] / total);
  }
}
