/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class InitializerTest {
  private static final CcvitConfig TINY = CcvitConfig.tiny(32, 4, 64);

  /** Standard deviation of a unit normal truncated at +-1. */
  private static final double TRUNCATED_STD = 0.5396;

  private static NDManager manager;
  private static ParameterStore store;

  @BeforeAll
  static void initialize() {
    manager = NDManager.newBaseManager();
    store = CcvitModel.newParameters(TINY, manager);
    Initializer.initialize(store, TINY, 42);
  }

  @AfterAll
  static void close() {
    store.close();
    manager.close();
  }

  @Test
  void shapesFollowTheOriginalStateDict() {
    assertEquals(CcvitModel.parameterShapes(TINY).keySet(), store.parameters().keySet());
    CcvitModel.parameterShapes(TINY)
        .forEach((name, shape) -> assertEquals(shape, store.get(name).getShape(), name));
    // The golden tiny model of the same configuration has 312,000 parameters.
    assertEquals(312_000, store.parameterCount());
  }

  @Test
  void tokenBlockWeightsAreNormalTruncatedAtOneSigmaAndRescaledByDepth() {
    checkTruncated(values("patch_embed.proj.weight"), 0.02);
    checkTruncated(values("lm_head.weight"), 0.02);
    checkTruncated(values("cls_pt_lm_head.weight"), 0.02);
    for (int l = 0; l < TINY.depth(); l++) {
      checkTruncated(values("blocks." + l + ".attn.qkv.weight"), 0.02);
      checkTruncated(values("blocks." + l + ".mlp.fc1.weight"), 0.02);
      double rescaled = 0.02 / Math.sqrt(2.0 * (l + 1));
      checkTruncated(values("blocks." + l + ".attn.proj.weight"), rescaled);
      checkTruncated(values("blocks." + l + ".mlp.fc2.weight"), rescaled);
    }
    for (String token : new String[] {"cls_token", "mask_token"}) {
      float[] v = values(token);
      assertTrue(maxAbs(v) <= 0.02f && maxAbs(v) > 0.01f, token);
    }
  }

  @Test
  void pixelBlockLinearsKeepPyTorchDefaultUniformThenRescale() {
    double inBound = 1 / Math.sqrt(TINY.embedDim());
    double hiddenBound = 1 / Math.sqrt(TINY.mlpHidden());
    for (int j = 0; j < TINY.pixelDepth(); j++) {
      String p = "cls_pt_layers." + j;
      double rescale = Math.sqrt(2.0 * (TINY.earlyLayers() + j + 1));
      checkUniform(values(p + ".attn.qkv.weight"), inBound);
      checkUniform(values(p + ".attn.proj.weight"), inBound / rescale);
      checkUniform(values(p + ".mlp.fc1.weight"), inBound);
      checkUniform(values(p + ".mlp.fc2.weight"), hiddenBound / rescale);
      // Biases are not rescaled.
      assertTrue(maxAbs(values(p + ".attn.proj.bias")) <= inBound);
      assertTrue(maxAbs(values(p + ".mlp.fc1.bias")) <= inBound);
      assertTrue(maxAbs(values(p + ".mlp.fc2.bias")) <= hiddenBound);
      assertTrue(maxAbs(values(p + ".mlp.fc1.bias")) > 0.8 * inBound);
    }
  }

  @Test
  void constantsNormsAndZeros() {
    for (Map.Entry<String, NDArray> e : store.parameters().entrySet()) {
      String name = e.getKey();
      float[] v = e.getValue().toFloatArray();
      if (name.contains("gamma_")) {
        assertAll(v, 0.1f, name);
      } else if (name.matches(".*norm\\d?\\.weight")) {
        assertAll(v, 1f, name);
      } else if (name.endsWith("q_bias")
          || name.endsWith("v_bias")
          || name.endsWith("bias_table")
          || name.endsWith("norm.bias")
          || name.matches(".*norm\\d\\.bias")
          || (name.endsWith(".bias") && !name.startsWith("cls_pt_layers."))) {
        assertAll(v, 0f, name);
      }
    }
  }

  @Test
  void deterministicForASeed() {
    try (ParameterStore same = CcvitModel.newParameters(TINY, manager);
        ParameterStore other = CcvitModel.newParameters(TINY, manager)) {
      Initializer.initialize(same, TINY, 42);
      Initializer.initialize(other, TINY, 43);
      for (String name : store.parameters().keySet()) {
        assertArrayEquals(values(name), same.get(name).toFloatArray(), name);
      }
      assertFalse(
          Arrays.equals(
              values("blocks.0.attn.qkv.weight"),
              other.get("blocks.0.attn.qkv.weight").toFloatArray()));
    }
  }

  private static float[] values(String name) {
    return store.get(name).toFloatArray();
  }

  private static void checkTruncated(float[] v, double std) {
    assertTrue(maxAbs(v) <= std * (1 + 1e-6), "bound " + maxAbs(v) + " > " + std);
    assertTrue(maxAbs(v) > 0.95 * std, "values should reach the bound");
    assertEquals(TRUNCATED_STD * std, std(v), 0.06 * TRUNCATED_STD * std);
    assertEquals(0, mean(v), 0.1 * std);
  }

  private static void checkUniform(float[] v, double bound) {
    assertTrue(maxAbs(v) <= bound * (1 + 1e-6), "bound " + maxAbs(v) + " > " + bound);
    assertTrue(maxAbs(v) > 0.95 * bound, "values should reach the bound");
    assertEquals(bound / Math.sqrt(3), std(v), 0.06 * bound / Math.sqrt(3));
  }

  private static void assertAll(float[] v, float expected, String name) {
    for (float x : v) {
      assertEquals(expected, x, name);
    }
  }

  private static float maxAbs(float[] v) {
    float m = 0;
    for (float x : v) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }

  private static double mean(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x;
    }
    return s / v.length;
  }

  private static double std(float[] v) {
    double m = mean(v);
    double s = 0;
    for (float x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / v.length);
  }
}
