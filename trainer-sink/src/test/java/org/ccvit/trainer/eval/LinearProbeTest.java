/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinearProbeTest {

  private static final LinearProbe.Settings SETTINGS = new LinearProbe.Settings(20, 32, 0.1, 0, 3);

  @Test
  void separableClustersAreLearnedPerfectly() {
    SyntheticFeatures train = SyntheticFeatures.clusters(40, 10, 32, 0.3, 1);
    SyntheticFeatures test = SyntheticFeatures.clusters(20, 10, 32, 0.3, 2);
    int[] epochs = {0};
    LinearProbe.Result r =
        LinearProbe.train(
            train.features(),
            train.labels(),
            test.features(),
            test.labels(),
            SETTINGS,
            e -> epochs[0] = e);
    assertEquals(20, epochs[0]);
    assertEquals(1.0, r.top1());
    assertTrue(r.epochLoss()[19] < r.epochLoss()[0] / 4, java.util.Arrays.toString(r.epochLoss()));
  }

  @Test
  void aClassCodedInOneBadlyScaledDimensionAmongNoiseIsFound() {
    // Class = sign of coordinate 0, which is 1000 times smaller than the noise coordinates: only
    // the BatchNorm's standardisation makes it learnable at this rate.
    SplittableRandom r = new SplittableRandom(5);
    int n = 400;
    float[][] x = new float[n][8];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 2;
      x[i][0] = (float) ((y[i] == 1 ? 1 : -1) * (0.5 + r.nextDouble()) * 1e-3);
      for (int j = 1; j < 8; j++) {
        x[i][j] = (float) r.nextGaussian();
      }
    }
    float[][] train = java.util.Arrays.copyOfRange(x, 0, 300);
    float[][] test = java.util.Arrays.copyOfRange(x, 300, n);
    LinearProbe.Result result =
        LinearProbe.train(
            train,
            java.util.Arrays.copyOfRange(y, 0, 300),
            test,
            java.util.Arrays.copyOfRange(y, 300, n),
            SETTINGS,
            e -> {});
    assertEquals(1.0, result.top1());
  }
}
