/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.npy.Npy;

/**
 * faiss's flat L2 search (IndexFlatL2, the original code's index) on the same patches, run by the
 * given Python (Debian: python3-faiss, libopenblas0-pthread); faiss is not a dependency of the
 * project. The whole batch is searched in one call, as the original training loop does per batch.
 */
public final class FaissFlatSearch {
  private static final String SCRIPT =
      String.join(
          "\n",
          "import sys, time, numpy as np, faiss",
          "codebook, patches = np.load(sys.argv[1]), np.load(sys.argv[2])",
          "index = faiss.IndexFlatL2(codebook.shape[1]); index.add(codebook)",
          "for threads in map(int, sys.argv[4].split(',')):",
          "    faiss.omp_set_num_threads(threads)",
          "    index.search(patches[:256], 1)",
          "    best = float('inf')",
          "    for _ in range(int(sys.argv[3])):",
          "        start = time.perf_counter(); _, ids = index.search(patches, 1)",
          "        best = min(best, time.perf_counter() - start)",
          "    print('threads', threads, 'seconds', best, flush=True)",
          "np.save(sys.argv[5], ids[:, 0].astype(np.int32))",
          "");

  /** Best seconds per thread count, and the ids of the last run. */
  public record Result(Map<Integer, Double> seconds, int[] ids) {}

  private FaissFlatSearch() {}

  /** True when the python can import faiss. */
  public static boolean available(String python) {
    try {
      Process p = PythonProcess.of(List.of(python, "-c", "import faiss")).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public static Result run(
      String python, Codebook codebook, float[] patches, int n, List<Integer> threads, int repeats)
      throws IOException, InterruptedException {
    Path work = Files.createTempDirectory("ccvit-faiss");
    try {
      Path codebookFile = work.resolve("codebook.npy");
      Path patchFile = work.resolve("patches.npy");
      Path idFile = work.resolve("ids.npy");
      Npy.writeFloat32(codebookFile, codebook.centroids(), codebook.k(), codebook.dim());
      Npy.writeFloat32(patchFile, patches, n, codebook.dim());
      List<String> command =
          new ArrayList<>(
              List.of(
                  python,
                  "-c",
                  SCRIPT,
                  codebookFile.toString(),
                  patchFile.toString(),
                  Integer.toString(repeats),
                  String.join(",", threads.stream().map(String::valueOf).toList()),
                  idFile.toString()));
      Process process = PythonProcess.of(command).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.waitFor() != 0) {
        throw new IOException("faiss script failed: " + output);
      }
      Map<Integer, Double> seconds = new LinkedHashMap<>();
      for (String line : output.split("\n")) {
        String[] f = line.trim().split(" ");
        if (f.length == 4 && f[0].equals("threads")) {
          seconds.put(Integer.parseInt(f[1]), Double.parseDouble(f[3]));
        }
      }
      return new Result(seconds, Npy.read(idFile).toInts());
    } finally {
      try (var files = Files.list(work)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(work);
    }
  }
}
