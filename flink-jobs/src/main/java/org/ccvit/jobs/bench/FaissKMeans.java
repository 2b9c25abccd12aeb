/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.ccvit.tokenizer.kmeans.KMeansConfig;

/**
 * faiss's {@code Clustering} on the same points, for comparison only (faiss is not a dependency):
 * runs {@code python3} with faiss (Debian: python3-faiss, libopenblas0-pthread) on a .npy file.
 */
public final class FaissKMeans {
  /** Settings as the original run (spec section 1), then the timed {@code train} call. */
  private static final String SCRIPT =
      String.join(
          "\n",
          "import sys, time, numpy as np, faiss",
          "x = np.load(sys.argv[1])",
          "k, niter, seed, mppc = (int(a) for a in sys.argv[2:6])",
          "c = faiss.Clustering(x.shape[1], k)",
          "c.niter = niter; c.seed = seed; c.max_points_per_centroid = mppc",
          "index = faiss.IndexFlatL2(x.shape[1])",
          "t = time.time(); c.train(x, index); t = time.time() - t",
          "s = c.iteration_stats",
          "print('faiss-result %.6f %.17g' % (t, s.at(s.size() - 1).obj))",
          "");

  /** Seconds of {@code train} and the last iteration's objective. */
  public record Run(double seconds, double objective) {}

  private final String python;

  public FaissKMeans(String python) {
    this.python = python;
  }

  /**
   * Clusters the float32 [n, d] points of {@code npy}.
   *
   * @param log receives faiss's output lines
   * @throws IOException when python or faiss fails, with its output
   */
  public Run run(Path npy, KMeansConfig config, Consumer<String> log)
      throws IOException, InterruptedException {
    Path script = Files.createTempFile("ccvit-faiss-kmeans", ".py");
    try {
      Files.writeString(script, SCRIPT);
      Process process =
          PythonProcess.of(
                  List.of(
                      python,
                      script.toString(),
                      npy.toString(),
                      Integer.toString(config.k()),
                      Integer.toString(config.iterations()),
                      Long.toString(config.seed()),
                      Integer.toString(config.maxPointsPerCentroid())))
              .start();
      Run run = null;
      StringBuilder output = new StringBuilder();
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          output.append(line).append('\n');
          if (line.startsWith("faiss-result ")) {
            String[] parts = line.split(" ");
            run = new Run(Double.parseDouble(parts[1]), Double.parseDouble(parts[2]));
          } else {
            log.accept(line);
          }
        }
      }
      int exit = process.waitFor();
      if (exit != 0 || run == null) {
        throw new IOException(
            python
                + " with faiss failed (exit "
                + exit
                + "); is python3-faiss installed?\n"
                + output);
      }
      return run;
    } finally {
      Files.deleteIfExists(script);
    }
  }
}
