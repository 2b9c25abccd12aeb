/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdamWTest {

  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.98;
  private static final double EPS = 1e-8;

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  /** Steps a weight and a bias on loss = sum(w^2) + sum(b^2) and follows the formula in doubles. */
  @Test
  void stepsFollowTheFormulaAndAutogradKeepsWorking() {
    float[] w0 = {0.5f, -1.5f, 2f, 0.25f};
    float[] b0 = {1f, -2f};
    NDArray weight = manager.create(w0, new Shape(2, 2));
    NDArray bias = manager.create(b0);
    weight.setRequiresGradient(true);
    bias.setRequiresGradient(true);
    Map<String, NDArray> params = new LinkedHashMap<>();
    params.put("head.weight", weight);
    params.put("head.bias", bias);
    double[][] expected = {toDouble(w0), toDouble(b0)};
    double[][] m = {new double[4], new double[2]};
    double[][] v = {new double[4], new double[2]};
    double[] lrs = {0.1, 0.05, 0.02};
    double wd = 0.3;
    double biasScale = 0.5;
    try (AdamW adamW = new AdamW(BETA1, BETA2, EPS, manager)) {
      adamW.setLrScales(Map.of("head.bias", biasScale));
      for (int t = 1; t <= lrs.length; t++) {
        Map<String, NDArray> grads = new LinkedHashMap<>();
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          collector.backward(weight.square().sum().add(bias.square().sum()));
        }
        grads.put("head.weight", weight.getGradient());
        grads.put("head.bias", bias.getGradient());
        adamW.step(params, grads, lrs[t - 1], wd);
        // PyTorch accumulates gradients over backward calls; a trainer zeroes them after a step.
        grads.values().forEach(g -> g.muli(0));
        for (int k = 0; k < 2; k++) {
          double lr = lrs[t - 1] * (k == 1 ? biasScale : 1);
          double decay = k == 0 ? wd : 0; // a bias is never decayed
          for (int i = 0; i < expected[k].length; i++) {
            double g = 2 * expected[k][i];
            expected[k][i] *= 1 - lr * decay;
            m[k][i] = BETA1 * m[k][i] + (1 - BETA1) * g;
            v[k][i] = BETA2 * v[k][i] + (1 - BETA2) * g * g;
            double denom = Math.sqrt(v[k][i]) / Math.sqrt(1 - Math.pow(BETA2, t)) + EPS;
            expected[k][i] -= lr / (1 - Math.pow(BETA1, t)) * m[k][i] / denom;
          }
        }
        assertArrayEquals(expected[0], toDouble(weight.toFloatArray()), 1e-6, "step " + t);
        assertArrayEquals(expected[1], toDouble(bias.toFloatArray()), 1e-6, "step " + t);
        assertSame(weight, params.get("head.weight"));
        assertTrue(weight.hasGradient(), "parameter still collects gradients");
      }
      assertEquals(lrs.length, adamW.stepCount());
      assertArrayEquals(
          m[0], toDouble(adamW.state().get("exp_avg.head.weight").toFloatArray()), 1e-6);
      assertArrayEquals(
          v[1], toDouble(adamW.state().get("exp_avg_sq.head.bias").toFloatArray()), 1e-6);
    }
  }

  /**
   * The update runs in vector lanes, a scalar tail, and in chunks on all cores for large arrays;
   * over a parameter that takes all three, and across a save and load of the state (as a restored
   * checkpoint continues), it follows the formula in doubles.
   */
  @Test
  void aLargeParameterFollowsTheFormulaAcrossASaveAndLoadOfTheState() throws IOException {
    int n = (1 << 18) + 13;
    SplittableRandom random = new SplittableRandom(3);
    float[] w0 = new float[n];
    for (int i = 0; i < n; i++) {
      w0[i] = (float) random.nextGaussian();
    }
    NDArray weight = manager.create(w0, new Shape(n, 1));
    Map<String, NDArray> params = Map.of("blocks.0.mlp.fc1.weight", weight);
    double[] expected = toDouble(w0);
    double[] m = new double[n];
    double[] v = new double[n];
    double lr = 1e-3;
    double wd = 0.05;
    AdamW adamW = new AdamW(BETA1, BETA2, EPS, manager);
    try {
      for (int t = 1; t <= 6; t++) {
        if (t == 4) {
          ByteArrayOutputStream saved = new ByteArrayOutputStream();
          OptimizerStateIO.write(adamW, saved);
          adamW.close();
          adamW = new AdamW(BETA1, BETA2, EPS, manager);
          OptimizerStateIO.read(adamW, new ByteArrayInputStream(saved.toByteArray()), "saved");
        }
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
          g[i] = (float) (random.nextGaussian() * 1e-2);
        }
        try (NDArray grad = manager.create(g, weight.getShape())) {
          adamW.step(params, Map.of("blocks.0.mlp.fc1.weight", grad), lr, wd);
        }
        double correction1 = 1 - Math.pow(BETA1, t);
        double correction2 = Math.sqrt(1 - Math.pow(BETA2, t));
        for (int i = 0; i < n; i++) {
          expected[i] *= 1 - lr * wd;
          m[i] = BETA1 * m[i] + (1 - BETA1) * g[i];
          v[i] = BETA2 * v[i] + (1 - BETA2) * g[i] * g[i];
          expected[i] -= lr / correction1 * m[i] / (Math.sqrt(v[i]) / correction2 + EPS);
        }
        assertArrayEquals(
            expected,
            toDouble(weight.toFloatArray()),
            1e-5,
            "step " + t); // a few float32 ulps of values up to ~5
      }
      assertEquals(6, adamW.stepCount());
    } finally {
      adamW.close();
    }
  }

  @Test
  void stateSurvivesAnNdScopeAroundTheStep() {
    Map<String, NDArray> params =
        Map.of("w", manager.create(new float[] {1f, 2f}, new Shape(1, 2)));
    try (AdamW adamW = new AdamW(BETA1, BETA2, EPS, manager)) {
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        adamW.step(params, Map.of("w", manager.ones(new Shape(1, 2))), 0.1, 0);
      }
      NDArray m = adamW.state().get("exp_avg.w");
      assertArrayEquals(new float[] {0.1f, 0.1f}, m.toFloatArray(), 1e-7f);
      adamW.step(params, Map.of("w", manager.ones(new Shape(1, 2))), 0.1, 0);
      assertEquals(2, adamW.stepCount());
    }
  }

  @Test
  void badInputIsRejectedBeforeAnythingChanges() {
    NDArray w = manager.create(new float[] {1f, 2f}, new Shape(1, 2));
    Map<String, NDArray> params = Map.of("w", w);
    try (AdamW adamW = new AdamW(BETA1, BETA2, EPS, manager)) {
      assertMessage("no gradient for parameter w", () -> adamW.step(params, Map.of(), 0.1, 0));
      assertMessage(
          "gradient of w has shape (2)",
          () -> adamW.step(params, Map.of("w", manager.ones(new Shape(2))), 0.1, 0));
      assertMessage(
          "unknown parameter x",
          () ->
              adamW.step(
                  params,
                  Map.of("w", manager.ones(new Shape(1, 2)), "x", manager.ones(new Shape(1))),
                  0.1,
                  0));
      assertMessage(
          "lr=-0.1", () -> adamW.step(params, Map.of("w", manager.ones(new Shape(1, 2))), -0.1, 0));
      assertMessage(
          "unexpected AdamW state entry 'm.w'",
          () -> adamW.loadState(Map.of("m.w", manager.ones(new Shape(1, 2))), 1));
      assertMessage(
          "must name the same parameters",
          () -> adamW.loadState(Map.of("exp_avg.w", manager.ones(new Shape(1, 2))), 1));
      assertMessage("lr scale of w", () -> adamW.setLrScales(Map.of("w", Double.NaN)));
      assertEquals(0, adamW.stepCount());
      assertArrayEquals(new float[] {1f, 2f}, w.toFloatArray());

      adamW.loadState(Map.of(), 3);
      IllegalStateException missing =
          assertThrows(
              IllegalStateException.class,
              () -> adamW.step(params, Map.of("w", manager.ones(new Shape(1, 2))), 0.1, 0));
      assertTrue(missing.getMessage().contains("no AdamW state for parameter w"));
    }
    assertThrows(IllegalArgumentException.class, () -> new AdamW(1.0, BETA2, EPS, manager));
  }

  @Test
  void loadedStateIsACopyEvenOfItsOwnState() {
    NDArray source = manager.create(new float[] {0.5f, 0.25f});
    NDArray sourceSq = manager.create(new float[] {0.1f, 0.2f});
    try (AdamW adamW = new AdamW(BETA1, BETA2, EPS, manager)) {
      adamW.loadState(Map.of("exp_avg.b", source, "exp_avg_sq.b", sourceSq), 7);
      source.muli(0);
      assertEquals(7, adamW.stepCount());
      assertArrayEquals(new float[] {0.5f, 0.25f}, adamW.state().get("exp_avg.b").toFloatArray());
      adamW.loadState(adamW.state(), 8);
      assertEquals(8, adamW.stepCount());
      assertArrayEquals(new float[] {0.1f, 0.2f}, adamW.state().get("exp_avg_sq.b").toFloatArray());
    }
  }

  private static void assertMessage(String expectedPart, Runnable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertTrue(
        e.getMessage().contains(expectedPart),
        "message '" + e.getMessage() + "' should contain '" + expectedPart + "'");
  }

  private static double[] toDouble(float[] values) {
    double[] result = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      result[i] = values[i];
    }
    return result;
  }
}
