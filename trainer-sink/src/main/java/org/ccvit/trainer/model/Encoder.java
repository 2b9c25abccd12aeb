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
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The token block alone, as the original's fine-tuning model uses the pre-trained encoder: patch
 * embedding, CLS, the token blocks with the shared relative position bias; no mask token, no token
 * or pixel head. Works on any store that holds the encoder's parameters under the original names.
 */
public final class Encoder {
  private static final float POOL_LN_EPS = 1e-6f;

  private Encoder() {}

  /** The encoder's parameter shapes (a subset of {@link CcvitModel#parameterShapes}). */
  public static Map<String, Shape> parameterShapes(CcvitConfig c) {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    CcvitModel.parameterShapes(c)
        .forEach(
            (name, shape) -> {
              if (isEncoderParameter(name)) {
                shapes.put(name, shape);
              }
            });
    return shapes;
  }

  /** Whether a parameter of the pre-training model belongs to the encoder. */
  public static boolean isEncoderParameter(String name) {
    return name.equals("cls_token")
        || name.startsWith("patch_embed.")
        || name.startsWith(CcvitModel.REL_POS)
        || name.startsWith("blocks.");
  }

  /** Adds the relative position index buffer the encoder's attention reads. */
  public static void addBuffers(ParameterStore store, CcvitConfig c) {
    long t = c.numPatches() + 1L;
    try (NDArray index =
        store.manager().create(RelativePositionBias.index(c.gridSize()), new Shape(t, t))) {
      store.addBuffer(CcvitModel.REL_POS + RelativePositionBias.INDEX, index);
    }
  }

  /**
   * States after the last token block.
   *
   * @param images normalized [B, C, H, W]
   * @param blockKeep null, or per block a [B, 1, 1] multiplier of the block's residual update
   *     (stochastic depth: 0 drops the block for that sample, 1/keep keeps it)
   * @return [B, 1 + N, D], CLS first
   */
  public static NDArray forward(
      ParameterStore p, CcvitConfig c, NDArray images, NDArray[] blockKeep) {
    long b = images.getShape().get(0);
    NDArray x = PatchEmbedding.forward(p, "patch_embed", c, images);
    NDArray cls = p.get("cls_token").broadcast(new Shape(b, 1, c.embedDim()));
    x = NDArrays.concat(new NDList(cls, x), 1);
    NDArray relBias = RelativePositionBias.forward(p, CcvitModel.REL_POS, c);
    for (int i = 0; i < c.depth(); i++) {
      NDArray next = TransformerBlock.forward(p, "blocks." + i, c, x, relBias);
      x = blockKeep == null ? next : x.add(next.sub(x).mul(blockKeep[i]));
    }
    return x;
  }

  /**
   * The CLS state and the mean of the patch states of {@link #forward}'s output, each normalized by
   * a LayerNorm without affine parameters (the original's fine-tuning fc_norm at its init).
   *
   * @return [cls, meanPatches], each [B, D]
   */
  public static NDList pooled(NDArray states) {
    NDArray cls = states.get(":, 0");
    NDArray mean = states.get(":, 1:").mean(new int[] {1});
    return new NDList(normalize(cls), normalize(mean));
  }

  /** LayerNorm over the last axis without affine parameters. */
  public static NDArray normalize(NDArray x) {
    NDArray mu = x.mean(new int[] {-1}, true);
    NDArray centered = x.sub(mu);
    NDArray var = centered.square().mean(new int[] {-1}, true);
    return centered.div(var.add(POOL_LN_EPS).sqrt());
  }
}
