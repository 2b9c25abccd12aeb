/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import java.util.Map;

/**
 * Pre-norm ViT block with layer scale: x + gamma_1 * attn(norm1(x)), then x + gamma_2 *
 * fc2(gelu(fc1(norm2(x)))), exact erf GELU, no dropout or drop-path (both 0 in pre-training).
 */
final class TransformerBlock {
  private TransformerBlock() {}

  static void declare(Map<String, Shape> shapes, String prefix, CcvitConfig c) {
    int d = c.embedDim();
    shapes.put(prefix + ".gamma_1", new Shape(d));
    shapes.put(prefix + ".gamma_2", new Shape(d));
    declareNorm(shapes, prefix + ".norm1", d);
    Attention.declare(shapes, prefix + ".attn", c);
    declareNorm(shapes, prefix + ".norm2", d);
    shapes.put(prefix + ".mlp.fc1.weight", new Shape(c.mlpHidden(), d));
    shapes.put(prefix + ".mlp.fc1.bias", new Shape(c.mlpHidden()));
    shapes.put(prefix + ".mlp.fc2.weight", new Shape(d, c.mlpHidden()));
    shapes.put(prefix + ".mlp.fc2.bias", new Shape(d));
  }

  static void declareNorm(Map<String, Shape> shapes, String prefix, int dim) {
    shapes.put(prefix + ".weight", new Shape(dim));
    shapes.put(prefix + ".bias", new Shape(dim));
  }

  static NDArray forward(
      ParameterStore p, String prefix, CcvitConfig c, NDArray x, NDArray relBias) {
    return forward(p, prefix, c, x, relBias, null);
  }

  /**
   * The block on [B, T, D]; with {@code rows}, only the selected rows' outputs, [B, R, D] (each
   * output row depends on its own input row and on all rows' keys and values).
   */
  static NDArray forward(
      ParameterStore p, String prefix, CcvitConfig c, NDArray x, NDArray relBias, QueryRows rows) {
    NDArray a =
        Attention.forward(
            p, prefix + ".attn", c, layerNorm(p, prefix + ".norm1", c, x), relBias, rows);
    x = (rows == null ? x : rows.of(x)).add(p.get(prefix + ".gamma_1").mul(a));
    NDArray h = layerNorm(p, prefix + ".norm2", c, x);
    h = linear(p, prefix + ".mlp.fc1", h);
    h = linear(p, prefix + ".mlp.fc2", Activation.gelu(h));
    return x.add(p.get(prefix + ".gamma_2").mul(h));
  }

  static NDArray layerNorm(ParameterStore p, String prefix, CcvitConfig c, NDArray x) {
    return LayerNorm.layerNorm(
            x,
            new Shape(c.embedDim()),
            p.get(prefix + ".weight"),
            p.get(prefix + ".bias"),
            (float) c.lnEps())
        .singletonOrThrow();
  }

  static NDArray linear(ParameterStore p, String prefix, NDArray x) {
    return Linear.linear(x, p.get(prefix + ".weight"), p.get(prefix + ".bias")).singletonOrThrow();
  }
}
