/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.model;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The original's initial weights, reproduced in distribution (not bit for bit: PyTorch's RNG stream
 * is not reproduced) from one seed:
 *
 * <ul>
 *   <li>token block, patch embedding, CLS, mask token, lm_head, cls_pt_lm_head: normal(0, std)
 *       truncated at +-std (the original's trunc_normal_ passes a=-std, b=std), biases 0;
 *   <li>token block l (1-based): attn.proj.weight and mlp.fc2.weight divided by sqrt(2l);
 *   <li>pixel block j: built after the original's init pass, so its Linear layers keep PyTorch's
 *       default uniform(+-1/sqrt(fan_in)) weights and biases, and its proj/fc2 weights are divided
 *       by sqrt(2 (earlyLayers + j + 1));
 *   <li>LayerNorms (1, 0), gamma = layerScaleInit, q/v biases 0, relative bias table 0.
 * </ul>
 */
public final class Initializer {
  private Initializer() {}

  /** Fills every parameter of the store deterministically from the seed. */
  public static void initialize(ParameterStore store, CcvitConfig c, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (Map.Entry<String, NDArray> e : store.parameters().entrySet()) {
      String name = e.getKey();
      float[] values = new float[Math.toIntExact(e.getValue().size())];
      fill(
          name,
          values,
          e.getValue().getShape().get(e.getValue().getShape().dimension() - 1),
          c,
          random);
      store.assign(name, values);
    }
  }

  private static void fill(
      String name, float[] v, long lastDim, CcvitConfig c, SplittableRandom r) {
    float std = (float) c.initStd();
    if (name.endsWith("gamma_1") || name.endsWith("gamma_2")) {
      java.util.Arrays.fill(v, (float) c.layerScaleInit());
    } else if (isNormWeight(name)) {
      java.util.Arrays.fill(v, 1f);
    } else if (name.startsWith("cls_pt_layers.") && isLinear(name)) {
      int j = Integer.parseInt(name.split("\\.")[1]);
      // PyTorch's default Linear init: weight bound = bias bound = 1/sqrt(fan_in).
      long fanIn = name.endsWith(".bias") ? fanInOfBias(name, c) : lastDim;
      fillUniform(v, (float) (1 / Math.sqrt(fanIn)), r);
      if (isRescaledWeight(name)) {
        scale(v, 1 / Math.sqrt(2.0 * (c.earlyLayers() + j + 1)));
      }
    } else if (name.endsWith(".weight") && !name.startsWith("cls_pt_layers.")
        || name.equals("cls_token")
        || name.equals("mask_token")) {
      fillTruncatedNormal(v, std, r);
      if (name.startsWith("blocks.") && isRescaledWeight(name)) {
        int l = Integer.parseInt(name.split("\\.")[1]) + 1;
        scale(v, 1 / Math.sqrt(2.0 * l));
      }
    }
    // Everything else (biases of the token block and heads, q/v biases, relative bias table,
    // pixel-block LayerNorm biases) stays zero.
  }

  private static boolean isNormWeight(String name) {
    return name.matches("(.*\\.)?(norm1|norm2|norm|cls_pt_norm)\\.weight");
  }

  private static boolean isLinear(String name) {
    return name.matches(
        ".*\\.(attn\\.qkv\\.weight|attn\\.proj\\.(weight|bias)|mlp\\.fc[12]\\.(weight|bias))");
  }

  private static boolean isRescaledWeight(String name) {
    return name.endsWith("attn.proj.weight") || name.endsWith("mlp.fc2.weight");
  }

  private static long fanInOfBias(String name, CcvitConfig c) {
    return name.endsWith("mlp.fc2.bias") ? c.mlpHidden() : c.embedDim();
  }

  private static void fillUniform(float[] v, float bound, SplittableRandom r) {
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
    }
  }

  /** Rejection sampling keeps exactly the normal distribution's shape inside +-std. */
  private static void fillTruncatedNormal(float[] v, float std, SplittableRandom r) {
    for (int i = 0; i < v.length; i++) {
      double z;
      do {
        z = r.nextGaussian();
      } while (z < -1 || z > 1);
      v[i] = (float) (z * std);
    }
  }

  private static void scale(float[] v, double factor) {
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (v[i] * factor);
    }
  }
}
