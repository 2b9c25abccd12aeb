/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CCViT pre-training network over a {@link ParameterStore}: a ViT token block that predicts the
 * centroid id of every corrupted patch, and a small pixel block that reads [final CLS, patch states
 * after block earlyLayers] and predicts the normalized pixels.
 */
public final class CcvitModel {
  static final String REL_POS = "rel_pos_bias";

  private final CcvitConfig config;
  private final ParameterStore parameters;

  public CcvitModel(CcvitConfig config, ParameterStore parameters) {
    this.config = config;
    this.parameters = parameters;
  }

  /** Parameter shapes under the original names, in the original state_dict order. */
  public static Map<String, Shape> parameterShapes(CcvitConfig c) {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    shapes.put("cls_token", new Shape(1, 1, c.embedDim()));
    shapes.put("mask_token", new Shape(1, 1, c.embedDim()));
    PatchEmbedding.declare(shapes, "patch_embed", c);
    RelativePositionBias.declare(shapes, REL_POS, c);
    for (int i = 0; i < c.depth(); i++) {
      TransformerBlock.declare(shapes, "blocks." + i, c);
    }
    TransformerBlock.declareNorm(shapes, "norm", c.embedDim());
    shapes.put("lm_head.weight", new Shape(c.vocabSize(), c.embedDim()));
    shapes.put("lm_head.bias", new Shape(c.vocabSize()));
    for (int j = 0; j < c.pixelDepth(); j++) {
      TransformerBlock.declare(shapes, "cls_pt_layers." + j, c);
    }
    TransformerBlock.declareNorm(shapes, "cls_pt_norm", c.embedDim());
    shapes.put("cls_pt_lm_head.weight", new Shape(c.patchDim(), c.embedDim()));
    shapes.put("cls_pt_lm_head.bias", new Shape(c.patchDim()));
    return shapes;
  }

  /**
   * A zero-filled store for this configuration, with the relative position index buffer (the
   * original's state_dict also carries it). Fill it with {@link Initializer} or load weights.
   */
  public static ParameterStore newParameters(CcvitConfig c, NDManager parent) {
    ParameterStore store = new ParameterStore(parent, parameterShapes(c));
    long t = c.numPatches() + 1L;
    try (NDArray index = parent.create(RelativePositionBias.index(c.gridSize()), new Shape(t, t))) {
      store.addBuffer(REL_POS + RelativePositionBias.INDEX, index);
    }
    return store;
  }

  /**
   * Row-major flat positions b*N + p of the true entries of a [B, N] boolean mask, the order in
   * which the original gathers x[bool_mask].
   */
  public static long[] flatPositions(boolean[] mask) {
    return java.util.stream.IntStream.range(0, mask.length)
        .filter(i -> mask[i])
        .asLongStream()
        .toArray();
  }

  /**
   * @param images normalized input [B, C, H, W] float32
   * @param masked [B, N] float32, 1 where the patch embedding becomes the mask token
   * @param lossPositions int64 [M] row-major flat positions b*N + p where outputs are needed
   */
  public ModelOutput forward(NDArray images, NDArray masked, NDArray lossPositions) {
    CcvitConfig c = config;
    ParameterStore p = parameters;
    long b = images.getShape().get(0);
    requireShape("images", images, new Shape(b, c.inChans(), c.imgSize(), c.imgSize()));
    requireShape("masked", masked, new Shape(b, c.numPatches()));

    NDArray x = PatchEmbedding.forward(p, "patch_embed", c, images);
    NDArray w = masked.toType(DataType.FLOAT32, false).expandDims(-1);
    x = x.mul(w.neg().add(1)).add(p.get("mask_token").mul(w));
    NDArray cls = p.get("cls_token").broadcast(new Shape(b, 1, c.embedDim()));
    x = NDArrays.concat(new NDList(cls, x), 1);

    NDArray relBias = RelativePositionBias.forward(p, REL_POS, c);
    // The last token block computes only the rows read afterwards (CLS for the pixel block and the
    // loss positions), unless the pixel block reads all of its output; likewise the last pixel
    // layer, the loss positions only. The other rows of a last block are ~half its work.
    long[] positions = lossPositions.toLongArray();
    long tokens = c.numPatches() + 1L;
    NDManager m = lossPositions.getManager();
    QueryRows tokenRows =
        c.earlyLayers() < c.depth() ? QueryRows.forLoss(m, positions, b, tokens, true) : null;
    QueryRows pixelRows = QueryRows.forLoss(m, positions, b, tokens, false);
    NDArray early = null;
    for (int i = 0; i < c.depth(); i++) {
      QueryRows rows = i + 1 == c.depth() ? tokenRows : null;
      x = TransformerBlock.forward(p, "blocks." + i, c, x, relBias, rows);
      if (i + 1 == c.earlyLayers()) {
        early = x;
      }
    }
    NDArray pixel = NDArrays.concat(new NDList(x.get(":, 0:1"), early.get(":, 1:")), 1);
    for (int j = 0; j < c.pixelDepth(); j++) {
      QueryRows rows = j + 1 == c.pixelDepth() ? pixelRows : null;
      pixel = TransformerBlock.forward(p, "cls_pt_layers." + j, c, pixel, relBias, rows);
    }

    // LayerNorm works row by row: normalizing only the loss positions gives the same rows.
    NDArray tokenStates =
        tokenRows == null ? atPositions(x, lossPositions) : tokenRows.atLossPositions(x);
    NDArray tokensOut = TransformerBlock.layerNorm(p, "norm", c, tokenStates);
    NDArray pixels =
        TransformerBlock.layerNorm(p, "cls_pt_norm", c, pixelRows.atLossPositions(pixel));
    return new ModelOutput(
        TransformerBlock.linear(p, "lm_head", tokensOut),
        TransformerBlock.linear(p, "cls_pt_lm_head", pixels));
  }

  public CcvitConfig config() {
    return config;
  }

  public ParameterStore parameters() {
    return parameters;
  }

  /** Patch rows (CLS dropped) of [B, 1+N, D] at flat positions, as [M, D]. */
  private NDArray atPositions(NDArray states, NDArray positions) {
    long b = states.getShape().get(0);
    NDArray patches = states.get(":, 1:").reshape(b * config.numPatches(), config.embedDim());
    return patches.get(new NDIndex("{}", positions));
  }

  private static void requireShape(String what, NDArray array, Shape expected) {
    if (!array.getShape().equals(expected)) {
      throw new IllegalArgumentException(
          what + " has shape " + array.getShape() + ", expected " + expected);
    }
  }
}
