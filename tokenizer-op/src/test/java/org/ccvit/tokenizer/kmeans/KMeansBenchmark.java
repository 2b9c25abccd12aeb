/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.kmeans;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.ccvit.tokenizer.npy.Npy;

/**
 * k-means on real Imagenette patches (default N=102,400, K=1,024, 20 iterations, faiss's settings
 * of the original run), timed, then the same points through faiss 1.7.3's Clustering when {@code
 * /usr/bin/python3} has faiss. Prints both times, their ratio and both objectives.
 *
 * <p>Arguments (all optional): N K iterations.
 */
public final class KMeansBenchmark {
  private static final String PYTHON = "/usr/bin/python3";

  private KMeansBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 102_400;
    int k = args.length > 1 ? Integer.parseInt(args[1]) : 1_024;
    int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int dim = ImagenettePatches.DIM;
    Path shard = ImagenettePatches.defaultShard();
    long readStart = System.nanoTime();
    float[] points = ImagenettePatches.read(shard, n);
    System.out.printf(
        Locale.ROOT,
        "read %d patches of %s in %.1f s%n",
        n,
        shard,
        (System.nanoTime() - readStart) / 1e9);

    KMeansConfig config = new KMeansConfig(k, iterations, 1, 10_000_000);
    double javaSeconds = Double.POSITIVE_INFINITY;
    KMeansResult result = null;
    for (int run = 0; run < 2; run++) {
      long start = System.nanoTime();
      int currentRun = run;
      result =
          new KMeans(config)
              .fit(
                  points,
                  n,
                  dim,
                  s ->
                      System.out.printf(
                          Locale.ROOT,
                          "  java run %d iteration %2d: %.3f s objective %.6e splits %d%n",
                          currentRun,
                          s.iteration(),
                          s.seconds(),
                          s.objective(),
                          s.emptyClustersSplit()));
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(Locale.ROOT, "java run %d: %.2f s%n", run, seconds);
      javaSeconds = Math.min(javaSeconds, seconds);
    }
    System.out.printf(
        Locale.ROOT, "java best: %.2f s, final objective %.6e%n", javaSeconds, result.objective());

    if (!Files.isExecutable(Path.of(PYTHON))) {
      System.out.println("no " + PYTHON + ": faiss comparison skipped");
      return;
    }
    Path dir = Files.createTempDirectory("kmeans-bench");
    Path npy = dir.resolve("points.npy");
    Npy.writeFloat32(npy, points, n, dim);
    String script =
        String.join(
            "\n",
            "import sys, time, numpy as np, faiss",
            "x = np.load(sys.argv[1]); k, niter = int(sys.argv[2]), int(sys.argv[3])",
            "c = faiss.Clustering(x.shape[1], k)",
            "c.niter = niter; c.seed = 1; c.max_points_per_centroid = 10000000",
            "index = faiss.IndexFlatL2(x.shape[1])",
            "t = time.time(); c.train(x, index); t = time.time() - t",
            "s = c.iteration_stats",
            "print('faiss first objective %.6e' % s.at(0).obj)",
            "print('faiss seconds %.3f objective %.6e' % (t, s.at(s.size() - 1).obj))");
    Path scriptFile = dir.resolve("faiss_kmeans.py");
    Files.writeString(scriptFile, script);
    Process process =
        new ProcessBuilder(
                PYTHON,
                scriptFile.toString(),
                npy.toString(),
                Integer.toString(k),
                Integer.toString(iterations))
            .redirectErrorStream(true)
            .start();
    double faissSeconds = Double.NaN;
    double faissObjective = Double.NaN;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        System.out.println("  " + line);
        if (line.startsWith("faiss seconds")) {
          String[] parts = line.split(" ");
          faissSeconds = Double.parseDouble(parts[2]);
          faissObjective = Double.parseDouble(parts[4]);
        }
      }
    }
    int exit = process.waitFor();
    Files.delete(npy);
    Files.delete(scriptFile);
    Files.delete(dir);
    if (exit != 0 || Double.isNaN(faissSeconds)) {
      System.out.println("faiss run failed (exit " + exit + "): comparison skipped");
      return;
    }
    System.out.printf(
        Locale.ROOT,
        "java %.2f s vs faiss %.2f s: java takes %.3f of faiss's time;"
            + " objective java/faiss = %.5f%n",
        javaSeconds,
        faissSeconds,
        javaSeconds / faissSeconds,
        result.objective() / faissObjective);
  }
}
