/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLongArray;
import javax.imageio.ImageIO;
import org.ccvit.jobs.options.ViewOptions;
import org.ccvit.jobs.report.Charts;
import org.ccvit.jobs.report.CodebookMosaic;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.image.RgbImage;
import org.ccvit.tokenizer.patch.Patches;
import org.knowm.xchart.XYChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The paper's Fig. 7: the centroids as image patches, with their usage. */
@Command(
    name = "codebook-grid",
    mixinStandardHelpOptions = true,
    description =
        "Draws the codebook's centroids as image patches. With --images, counts how often each"
            + " centroid is the token of a patch of the images' center views, draws the most used"
            + " first with their counts, writes F-usage.png (count against rank, log-log) and"
            + " F.csv (id,count), and prints how many centroids are used.")
final class CodebookGridCommand implements Callable<Integer> {

  @Mixin ViewOptions view;

  @Option(names = "--codebook", required = true, description = "Codebook (centroids.npy).")
  Path codebookFile;

  @Option(names = "--out", required = true, description = "Output PNG.")
  Path out;

  @Option(
      names = "--images",
      arity = "1..*",
      description = "Images to count centroid usage on (files, folders or WebDataset shards).")
  List<Path> images;

  @Option(
      names = "--limit-images",
      defaultValue = "0",
      description = "Use only the first N images, 0 = all (default: ${DEFAULT-VALUE}).")
  long limitImages;

  @Option(
      names = "--count",
      defaultValue = "256",
      description = "Centroids to draw, 0 = all (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(
      names = "--columns",
      defaultValue = "16",
      description = "Centroids per row (default: ${DEFAULT-VALUE}).")
  int columns;

  @Option(
      names = "--scale",
      defaultValue = "3",
      description = "Enlarge each centroid this many times (default: ${DEFAULT-VALUE}).")
  int scale;

  @Option(
      names = "--threads",
      defaultValue = "2",
      description = "Threads for decoding and tokenizing (default: ${DEFAULT-VALUE}).")
  int threads;

  @Override
  public Integer call() throws Exception {
    Codebook codebook = Codebook.readNpy(codebookFile, view.patchSize, 3);
    long[] counts = images == null ? null : usage(codebook);
    int limit = count <= 0 ? codebook.k() : count;
    Path parent = out.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    ImageIO.write(
        CodebookMosaic.draw(codebook, counts, limit, columns, scale), "png", out.toFile());
    System.out.printf(
        Locale.ROOT,
        "codebook-grid: %d of %d centroids of %s -> %s%n",
        Math.min(limit, codebook.k()),
        codebook.k(),
        codebook.version(),
        out);
    if (counts != null) {
      writeUsage(codebook, counts);
    }
    return 0;
  }

  private long[] usage(Codebook codebook) throws Exception {
    List<CenterViews.View> views = CenterViews.read(images, limitImages, view.imageSize, threads);
    AtomicLongArray counts = new AtomicLongArray(codebook.k());
    int p = view.patchSize;
    CenterViews.eachWithSearch(
        views,
        codebook,
        threads,
        (v, search) -> {
          float[] patches =
              Patches.fromChwBytes(
                  v.image().chw(), RgbImage.CHANNELS, view.imageSize, view.imageSize, p);
          for (int id : search.assign(patches, patches.length / codebook.dim())) {
            counts.incrementAndGet(id);
          }
        });
    long[] out = new long[codebook.k()];
    for (int i = 0; i < out.length; i++) {
      out[i] = counts.get(i);
    }
    System.out.printf(
        Locale.ROOT,
        "codebook-grid: usage on %d images: %d of %d centroids used%n",
        views.size(),
        Arrays.stream(out).filter(c -> c > 0).count(),
        codebook.k());
    return out;
  }

  private void writeUsage(Codebook codebook, long[] counts) throws Exception {
    String name = out.getFileName().toString().replaceFirst("\\.png$", "");
    StringBuilder csv = new StringBuilder("id,count\n");
    for (int id = 0; id < counts.length; id++) {
      csv.append(id).append(',').append(counts[id]).append('\n');
    }
    Path csvFile = out.resolveSibling(name + ".csv");
    Files.writeString(csvFile, csv);
    int[] order = CodebookMosaic.order(codebook.k(), counts);
    double[] rank = new double[order.length];
    double[] sorted = new double[order.length];
    for (int i = 0; i < order.length; i++) {
      rank[i] = i + 1;
      sorted[i] = counts[order[i]];
    }
    XYChart chart =
        Charts.lines("Centroid usage, " + codebook.version(), "rank", "tokens (log scale)");
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setXAxisLogarithmic(true);
    Charts.addPositive(chart, "tokens per centroid", rank, sorted);
    Path chartFile = out.resolveSibling(name + "-usage.png");
    Charts.writeStacked(List.of(chart), chartFile);
    System.out.println("codebook-grid: usage -> " + csvFile + ", " + chartFile);
  }
}
