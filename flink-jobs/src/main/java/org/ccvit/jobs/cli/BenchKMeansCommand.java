/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ccvit.jobs.FlinkEnvironments;
import org.ccvit.jobs.bench.FaissKMeans;
import org.ccvit.jobs.bench.OpenBlasKernel;
import org.ccvit.jobs.codebook.DistributedKMeans;
import org.ccvit.jobs.codebook.PatchSample;
import org.ccvit.jobs.codebook.WorkDirectory;
import org.ccvit.jobs.options.WebUiOptions;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.CenterViewPatches;
import org.ccvit.tokenizer.image.ImageLimits;
import org.ccvit.tokenizer.io.ImageSources;
import org.ccvit.tokenizer.kmeans.IterationStats;
import org.ccvit.tokenizer.kmeans.KMeans;
import org.ccvit.tokenizer.kmeans.KMeansConfig;
import org.ccvit.tokenizer.kmeans.KMeansResult;
import org.ccvit.tokenizer.npy.Npy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * k-means on real patches: in-process {@link KMeans#fit}, the Flink codebook iteration ({@link
 * DistributedKMeans}) at parallelism 1 and 2, and optionally faiss, on the same points; best of
 * repeats after a JIT warm-up.
 */
@Command(
    name = "kmeans",
    mixinStandardHelpOptions = true,
    description = {
      "k-means time and final objective on the center-view patches of the first images of a",
      "shard: KMeans.fit in process, the Flink codebook iteration at parallelism 1 and 2, and",
      "faiss (--faiss) on the same points, with ratios. Best of --repeats runs."
    })
final class BenchKMeansCommand implements Callable<Integer> {

  @Mixin FaissOptions faissOptions;

  @Mixin WebUiOptions webUi;
  private static final int PATCH_SIZE = 16;
  private static final int IMAGE_SIZE = 224;

  @Option(
      names = "--n",
      defaultValue = "102400",
      description = "Points (default: ${DEFAULT-VALUE}).")
  int n;

  @Option(
      names = "--k",
      defaultValue = "1024",
      description = "Centroids (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(
      names = "--iterations",
      defaultValue = "20",
      description = "Iterations (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(
      names = "--repeats",
      defaultValue = "2",
      description = "Timed runs of each contender; the best counts (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(
      names = "--shard",
      description =
          "Image shard or folder (default: imagenette-224/train-00000.tar.gz of the shared datasets).")
  Path shard;

  @Option(
      names = "--work-dir",
      description =
          "Room for the points and partial sums (default: the system's temporary folder).")
  Path workDir = Path.of(System.getProperty("java.io.tmpdir"));

  @Override
  public Integer call() throws Exception {
    webUi.announce(null);
    if (shard == null) {
      shard = BenchCommand.defaultImages();
    }
    KMeansConfig config = new KMeansConfig(k, iterations, 1, 10_000_000);
    Path runDir = WorkDirectory.createRunDir(workDir, "bench-kmeans");
    try {
      long readStart = System.nanoTime();
      float[] points = centerViewPatches();
      int dim = 3 * PATCH_SIZE * PATCH_SIZE;
      System.out.printf(
          Locale.ROOT,
          "bench kmeans: %d patches (D=%d) of %s read in %.1f s; K=%d, %d iterations, %d cores%n",
          n,
          dim,
          shard,
          (System.nanoTime() - readStart) / 1e9,
          k,
          iterations,
          Runtime.getRuntime().availableProcessors());
      PatchSample sample = PatchSample.write(runDir.resolve("points.f32"), points, n, dim);

      // JIT warm-up of the assignment kernels, multi- and single-threaded.
      new KMeans(new KMeansConfig(k, 3, 2, 10_000_000)).fit(points, n, dim, null);
      distributed(new KMeansConfig(k, 3, 2, 10_000_000), sample, 1, runDir);

      Best inProcess = new Best();
      Best one = new Best();
      Best two = new Best();
      for (int r = 0; r < repeats; r++) {
        long start = System.nanoTime();
        KMeansResult fit = new KMeans(config).fit(points, n, dim, null);
        inProcess.offer("KMeans.fit (in process, 2 threads)", start, fit);
        start = System.nanoTime();
        one.offer(
            "Flink codebook iteration, parallelism 1",
            start,
            distributed(config, sample, 1, runDir));
        start = System.nanoTime();
        two.offer(
            "Flink codebook iteration, parallelism 2",
            start,
            distributed(config, sample, 2, runDir));
      }
      System.out.println();
      System.out.println("| contender | best seconds | s/iteration (median) | final objective |");
      System.out.println("|---|---|---|---|");
      for (Best b : List.of(inProcess, one, two)) {
        System.out.printf(
            Locale.ROOT,
            "| %s | %.2f | %.3f | %.6e |%n",
            b.name,
            b.seconds,
            b.medianIteration,
            b.result.objective());
      }
      FaissKMeans.Run best = null;
      if (faissOptions.faiss) {
        Path npy = runDir.resolve("points.npy");
        Npy.writeFloat32(npy, points, n, dim);
        System.out.println("faiss BLAS kernel: " + OpenBlasKernel.reported(faissOptions.python));
        for (int r = 0; r < repeats; r++) {
          FaissKMeans.Run run =
              new FaissKMeans(faissOptions.python)
                  .run(npy, config, line -> System.out.println("  faiss: " + line));
          System.out.printf(Locale.ROOT, "  faiss run %d: %.2f s%n", r, run.seconds());
          best = best == null || run.seconds() < best.seconds() ? run : best;
        }
        System.out.printf(
            Locale.ROOT,
            "| faiss 1.7 Clustering (python3-faiss) | %.2f | %.3f | %.6e |%n",
            best.seconds(),
            best.seconds() / iterations,
            best.objective());
      }
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "Flink speed-up from parallelism 1 to 2: %.2fx%n",
          one.seconds / two.seconds);
      if (best != null) {
        for (Best b : List.of(inProcess, one, two)) {
          System.out.printf(
              Locale.ROOT,
              "%s: %.3f of faiss's time, objective %+.4f%% vs faiss%n",
              b.name,
              b.seconds / best.seconds(),
              100 * (b.result.objective() / best.objective() - 1));
        }
      }
      return 0;
    } finally {
      WorkDirectory.deleteTree(runDir);
    }
  }

  private KMeansResult distributed(
      KMeansConfig config, PatchSample sample, int parallelism, Path runDir) throws Exception {
    return new DistributedKMeans(config, runDir)
        .fit(
            FlinkEnvironments.create(
                parallelism, runDir.resolve("checkpoints").toString(), 0, webUi.settings(null)),
            sample,
            null);
  }

  /** The first n center-view patches of the shard's images, in shard order. */
  private float[] centerViewPatches() throws Exception {
    CenterViewPatches view = new CenterViewPatches(IMAGE_SIZE, PATCH_SIZE, ImageLimits.defaults());
    int dim = view.patchDim();
    int perImage = view.patchesPerImage();
    List<ImageRecord> images = new ArrayList<>();
    ImageSources.readAll(List.of(shard), (n + perImage - 1) / perImage, images::add);
    float[] points = new float[n * dim];
    int filled = 0;
    for (ImageRecord image : images) {
      byte[] bytes = new byte[image.getImage().remaining()];
      image.getImage().duplicate().get(bytes);
      float[] patches = view.extract(bytes);
      int take = Math.min(n - filled, patches.length / dim);
      System.arraycopy(patches, 0, points, filled * dim, take * dim);
      filled += take;
    }
    if (filled < n) {
      throw new IllegalArgumentException(
          shard + " gives only " + filled + " patches, " + n + " wanted (--n)");
    }
    return points;
  }

  /** The fastest run of one contender. */
  private static final class Best {
    String name;
    double seconds = Double.POSITIVE_INFINITY;
    double medianIteration;
    KMeansResult result;

    void offer(String name, long startNanos, KMeansResult result) {
      double elapsed = (System.nanoTime() - startNanos) / 1e9;
      System.out.printf(Locale.ROOT, "  %s: %.2f s%n", name, elapsed);
      if (elapsed < seconds) {
        this.name = name;
        this.seconds = elapsed;
        this.result = result;
        double[] times =
            result.iterations().stream().mapToDouble(IterationStats::seconds).sorted().toArray();
        this.medianIteration = times.length == 0 ? 0 : times[times.length / 2];
      }
    }
  }
}
