/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import static org.ccvit.trainer.TinySamples.TINY;
import static org.ccvit.trainer.TinySamples.randomCodebook;
import static org.ccvit.trainer.TinySamples.samples;

import java.util.ArrayList;
import java.util.List;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.junit.jupiter.api.Test;

class ScratchDeterminismTest {
  @Test
  void instancesAgree() throws Exception {
    Codebook codebook = randomCodebook(1);
    List<List<TrainingSample>> batches = new ArrayList<>();
    for (int b = 0; b < 5; b++) batches.add(samples(codebook, 8, 10 + b, codebook.version()));
    TrainConfig train = new TrainConfig(8, 5e-3, 1e-5, 2, 20, 0.05, 0.9, 0.98, 1e-8, 3.0, 7);
    float[] reference = null;
    double[] refNorms = null;
    int differing = 0;
    int runs = Integer.getInteger("runs", 20);
    ai.djl.ndarray.NDManager keep = ai.djl.ndarray.NDManager.newBaseManager();
    java.util.Random shift = new java.util.Random(1);
    for (int run = 0; run < runs; run++) {
      final int r = run;
      if (Boolean.getBoolean("shift")) {
        for (int k = 0; k < 50; k++)
          keep.zeros(new ai.djl.ndarray.types.Shape(1 + shift.nextInt(3000)));
      }
      float[][] result = new float[1][];
      double[] norms = new double[5];
      Runnable job =
          () -> {
            try (Trainer t = new Trainer(TINY, train, codebook)) {
              for (int b = 0; b < 5; b++) norms[b] = t.step(batches.get(b)).gradNorm();
              List<Float> all = new ArrayList<>();
              int n = 0;
              for (var e : t.parameters().parameters().values()) n += (int) e.size();
              float[] flat = new float[n];
              int off = 0;
              for (var e : t.parameters().parameters().values()) {
                float[] a = e.toFloatArray();
                System.arraycopy(a, 0, flat, off, a.length);
                off += a.length;
              }
              result[0] = flat;
            }
          };
      if (Boolean.getBoolean("newThread")) {
        Thread th = new Thread(job);
        th.start();
        th.join();
      } else {
        job.run();
      }
      if (reference == null) {
        reference = result[0];
        refNorms = norms;
        continue;
      }
      final double[] refNormsFinal = refNorms;
      double diff = 0, norm = 0;
      for (int i = 0; i < reference.length; i++) {
        diff += (double) (reference[i] - result[0][i]) * (reference[i] - result[0][i]);
        norm += (double) reference[i] * reference[i];
      }
      if (diff > 0) differing++;
      System.out.printf(
          "run %d: rel diff %.3e, gradnorm rel diffs %s%n",
          r,
          Math.sqrt(diff / norm),
          java.util.Arrays.toString(
              java.util.stream.IntStream.range(0, 5)
                  .mapToDouble(i -> norms[i] / refNormsFinal[i] - 1)
                  .toArray()));
    }
    System.out.println("DIFFERING " + differing + " of " + (runs - 1));
  }
}
