/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.Map;

/**
 * BEiT multi-head self-attention: qkv Linear without bias plus learned q and v biases (the k bias
 * is fixed at zero), logits scaled by head_dim^-0.5 plus the shared relative bias, softmax.
 */
final class Attention {
  private Attention() {}

  static void declare(Map<String, Shape> shapes, String prefix, CcvitConfig c) {
    int d = c.embedDim();
    shapes.put(prefix + ".q_bias", new Shape(d));
    shapes.put(prefix + ".v_bias", new Shape(d));
    shapes.put(prefix + ".qkv.weight", new Shape(3L * d, d));
    shapes.put(prefix + ".proj.weight", new Shape(d, d));
    shapes.put(prefix + ".proj.bias", new Shape(d));
  }

  /**
   * x [B, T, D], relBias [heads, T, T] to [B, T, D]; with {@code rows}, only the selected query
   * rows, [B, R, D] (keys and values still from all of x).
   */
  static NDArray forward(
      ParameterStore p, String prefix, CcvitConfig c, NDArray x, NDArray relBias, QueryRows rows) {
    long b = x.getShape().get(0);
    long t = x.getShape().get(1);
    NDArray qBias = p.get(prefix + ".q_bias");
    NDArray vBias = p.get(prefix + ".v_bias");
    NDArray weight = p.get(prefix + ".qkv.weight");
    NDArray q;
    NDArray k;
    NDArray v;
    long r;
    if (rows == null) {
      r = t;
      NDArray qkvBias = NDArrays.concat(new NDList(qBias, vBias.zerosLike(), vBias));
      // split, not get(i): the backward of a split is one concatenation, that of each get(i) a
      // zero-filled array of qkv's full size plus an addition.
      NDList parts = heads(Linear.linear(x, weight, qkvBias).singletonOrThrow(), c, 3).split(3, 0);
      q = parts.get(0);
      k = parts.get(1);
      v = parts.get(2);
    } else {
      // Queries of the selected rows only; keys and values of all rows (rows d.. of the weight).
      long d = c.embedDim();
      NDArray queries = rows.of(x);
      r = queries.getShape().get(1);
      q = heads(Linear.linear(queries, weight.get("0:" + d), qBias).singletonOrThrow(), c, 1);
      NDArray kvBias = NDArrays.concat(new NDList(vBias.zerosLike(), vBias));
      NDList parts =
          heads(Linear.linear(x, weight.get(d + ":"), kvBias).singletonOrThrow(), c, 2).split(2, 0);
      k = parts.get(0);
      v = parts.get(1);
      relBias = rows.ofBias(relBias);
    }
    q = q.squeeze(0).mul(Math.pow(c.headDim(), -0.5));
    NDArray attn = q.matMul(k.squeeze(0).transpose(0, 1, 3, 2)).add(relBias).softmax(-1);
    NDArray out = attn.matMul(v.squeeze(0)).transpose(0, 2, 1, 3).reshape(b, r, c.embedDim());
    return Linear.linear(out, p.get(prefix + ".proj.weight"), p.get(prefix + ".proj.bias"))
        .singletonOrThrow();
  }

  /** [B, T, n*D] projections to [n, B, heads, T, head_dim]. */
  private static NDArray heads(NDArray projected, CcvitConfig c, int n) {
    Shape s = projected.getShape();
    return projected
        .reshape(s.get(0), s.get(1), n, c.numHeads(), c.headDim())
        .transpose(2, 0, 3, 1, 4);
  }
}
