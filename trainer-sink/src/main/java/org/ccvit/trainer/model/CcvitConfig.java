/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Architecture of the CCViT pre-training model (the original's
 * VisionTransformerForMaskedImageModelingCLS with a shared relative position bias and separate
 * token and pixel heads).
 *
 * @param imgSize side of the square input in pixels
 * @param patchSize side of a square patch in pixels
 * @param inChans input channels
 * @param embedDim width of every block
 * @param depth number of token-block layers
 * @param numHeads attention heads
 * @param mlpRatio MLP hidden width as a multiple of embedDim
 * @param vocabSize number of centroids (token classes)
 * @param earlyLayers the pixel block reads the patch states after this many token blocks
 * @param pixelDepth number of pixel-block layers (the original's head_layers)
 * @param layerScaleInit initial value of gamma_1/gamma_2 (the original's init_values)
 * @param initStd standard deviation of the truncated-normal init
 * @param lnEps LayerNorm epsilon
 */
public record CcvitConfig(
    int imgSize,
    int patchSize,
    int inChans,
    int embedDim,
    int depth,
    int numHeads,
    double mlpRatio,
    int vocabSize,
    int earlyLayers,
    int pixelDepth,
    double layerScaleInit,
    double initStd,
    double lnEps)
    implements java.io.Serializable {

  public CcvitConfig {
    requirePositive("imgSize", imgSize);
    requirePositive("patchSize", patchSize);
    requirePositive("inChans", inChans);
    requirePositive("embedDim", embedDim);
    requirePositive("depth", depth);
    requirePositive("numHeads", numHeads);
    requirePositive("vocabSize", vocabSize);
    requirePositive("pixelDepth", pixelDepth);
    if (imgSize % patchSize != 0) {
      throw new IllegalArgumentException(
          "imgSize " + imgSize + " must be a multiple of patchSize " + patchSize);
    }
    if (embedDim % numHeads != 0) {
      throw new IllegalArgumentException(
          "embedDim " + embedDim + " must be a multiple of numHeads " + numHeads);
    }
    if (earlyLayers < 1 || earlyLayers > depth) {
      throw new IllegalArgumentException(
          "earlyLayers " + earlyLayers + " must be in [1, depth=" + depth + "]");
    }
    if (!(mlpRatio > 0) || !(initStd > 0) || !(lnEps > 0)) {
      throw new IllegalArgumentException(
          "mlpRatio, initStd and lnEps must be positive, got "
              + mlpRatio
              + ", "
              + initStd
              + ", "
              + lnEps);
    }
  }

  /** ViT-B/16 at 224 with the pixel block fed after block 9, as the original's base recipe. */
  public static CcvitConfig base(int vocabSize) {
    return new CcvitConfig(224, 16, 3, 768, 12, 12, 4.0, vocabSize, 9, 2, 0.1, 0.02, 1e-6);
  }

  /**
   * The "cifar-small" size: 32 px images in patches of 4 (8x8 grid), width 192, 6 layers, 3 heads,
   * MLP ratio 4, pixel block after layer 4.
   */
  public static CcvitConfig cifar(int vocabSize) {
    return new CcvitConfig(32, 4, 3, 192, 6, 3, 4.0, vocabSize, 4, 2, 0.1, 0.02, 1e-6);
  }

  /** A small model for tests and demos: width 64, 4 layers, 4 heads, pixel block after 3. */
  public static CcvitConfig tiny(int imgSize, int patchSize, int vocabSize) {
    return new CcvitConfig(imgSize, patchSize, 3, 64, 4, 4, 4.0, vocabSize, 3, 2, 0.1, 0.02, 1e-6);
  }

  /**
   * Reads the "model" object of a golden case's manifest.json (its "kwargs" as passed to the
   * original constructor). Refuses settings this implementation does not have.
   */
  public static CcvitConfig fromGoldenManifest(JsonNode model) {
    JsonNode kw = model.path("kwargs");
    if (kw.isMissingNode()) {
      throw new IllegalArgumentException("manifest model has no \"kwargs\": " + model);
    }
    requireFlag(kw, "use_shared_rel_pos_bias", true);
    requireFlag(kw, "use_abs_pos_emb", false);
    requireFlag(kw, "shared_lm_head", false);
    requireFlag(kw, "qkv_bias", true);
    String norm = kw.path("norm_layer").asText("");
    if (!norm.contains("eps=")) {
      throw new IllegalArgumentException("expected a LayerNorm with explicit eps, got " + norm);
    }
    double eps = Double.parseDouble(norm.replaceAll(".*eps=([0-9.eE+-]+).*", "$1"));
    return new CcvitConfig(
        kw.path("img_size").asInt(),
        kw.path("patch_size").asInt(),
        kw.path("in_chans").asInt(),
        kw.path("embed_dim").asInt(),
        kw.path("depth").asInt(),
        kw.path("num_heads").asInt(),
        kw.path("mlp_ratio").asDouble(),
        kw.path("vocab_size").asInt(),
        kw.path("early_layers").asInt(),
        kw.path("head_layers").asInt(),
        kw.path("init_values").asDouble(),
        kw.path("init_std").asDouble(),
        eps);
  }

  /** Patches per side. */
  public int gridSize() {
    return imgSize / patchSize;
  }

  public int numPatches() {
    return gridSize() * gridSize();
  }

  /** Values per patch, C x P x P. */
  public int patchDim() {
    return inChans * patchSize * patchSize;
  }

  public int headDim() {
    return embedDim / numHeads;
  }

  public int mlpHidden() {
    return (int) (embedDim * mlpRatio);
  }

  private static void requirePositive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  private static void requireFlag(JsonNode kw, String name, boolean expected) {
    JsonNode v = kw.path(name);
    if (!v.isMissingNode() && v.asBoolean() != expected) {
      throw new IllegalArgumentException(
          "unsupported model setting " + name + "=" + v + " (expected " + expected + ")");
    }
  }
}
