/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GradientClippingTest {

  @Test
  void clipsOnlyAboveTheLimitAndAlwaysReturnsTheNorm() {
    try (NDManager manager = NDManager.newBaseManager()) {
      // Total norm sqrt(3^2 + 4^2 + 12^2) = 13.
      for (double maxNorm : new double[] {0, -1, 13.01, 100}) {
        Map<String, NDArray> grads = grads(manager);
        assertEquals(13.0, GradientClipping.clipByGlobalNorm(grads, maxNorm), 1e-6);
        assertArrayEquals(new float[] {3f, 4f}, grads.get("a").toFloatArray(), "max " + maxNorm);
        assertArrayEquals(new float[] {12f}, grads.get("b").toFloatArray(), "max " + maxNorm);
      }
      Map<String, NDArray> grads = grads(manager);
      assertEquals(13.0, GradientClipping.clipByGlobalNorm(grads, 6.5), 1e-6);
      float coefficient = (float) (6.5 / (13 + 1e-6));
      assertArrayEquals(
          new float[] {3 * coefficient, 4 * coefficient}, grads.get("a").toFloatArray(), 1e-6f);
      assertArrayEquals(new float[] {12 * coefficient}, grads.get("b").toFloatArray(), 1e-6f);
    }
  }

  private static Map<String, NDArray> grads(NDManager manager) {
    return Map.of(
        "a", manager.create(new float[] {3f, 4f}), "b", manager.create(new float[] {12f}));
  }
}
