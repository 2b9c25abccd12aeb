/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.options;

import org.ccvit.trainer.model.CcvitConfig;
import picocli.CommandLine.Option;

/**
 * The model's size: a preset, and any of its sizes overridden one by one. Shared by every command
 * that builds or reads a model (pretrain, demo, weights, knn, probe, finetune); the training
 * settings are {@link TrainingOptions}.
 */
public final class ModelOptions {

  /** Model presets. */
  public enum Preset {
    /** Width 64, 4 layers, 4 heads, pixel block after 3; tests and CPU demos. */
    TINY,
    /** ViT-S/16 at 224: width 384, 12 layers, 6 heads, pixel block after 9. */
    SMALL,
    /** ViT-B/16 at 224, the paper's: width 768, 12 layers, 12 heads, pixel block after 9. */
    BASE,
    /** 32px, 4px patches (8 x 8), width 192, 6 layers, 3 heads, pixel block after 4. */
    CIFAR
  }

  @Option(
      names = "--model",
      defaultValue = "tiny",
      description =
          "Model preset: tiny (tests, CPU demo), small (ViT-S/16), base (ViT-B/16, the paper's) or"
              + " cifar (32px, 4px patches, width 192, depth 6) (default: ${DEFAULT-VALUE}).")
  public Preset preset;

  @Option(
      names = "--image-size",
      description =
          "Side of the square view the model sees (default: the preset's: 224, cifar 32).")
  public Integer imageSize;

  @Option(
      names = "--patch-size",
      description = "Patch side; must match the codebook's (default: the preset's: 16, cifar 4).")
  public Integer patchSize;

  @Option(names = "--embed-dim", description = "Width of every block (default: the preset's).")
  public Integer embedDim;

  @Option(names = "--depth", description = "Token-block layers (default: the preset's).")
  public Integer depth;

  @Option(
      names = "--heads",
      description = "Attention heads; must divide --embed-dim (default: the preset's).")
  public Integer heads;

  @Option(
      names = "--early-layers",
      description =
          "The pixel block reads the patch states after this many layers; below --depth"
              + " (default: the preset's).")
  public Integer earlyLayers;

  @Option(
      names = "--mlp-ratio",
      description = "MLP hidden width as a multiple of the width (default: the preset's).")
  public Double mlpRatio;

  /** The preset's configuration for a codebook of {@code vocabSize}, before any override. */
  public CcvitConfig presetConfig(int vocabSize) {
    return switch (preset) {
      case TINY -> CcvitConfig.tiny(224, 16, vocabSize);
      case SMALL -> CcvitConfig.small(vocabSize);
      case BASE -> CcvitConfig.base(vocabSize);
      case CIFAR -> CcvitConfig.cifar(vocabSize);
    };
  }

  /** Side of the model's input, the preset's unless {@code --image-size} is given. */
  public int imageSize() {
    return imageSize != null ? imageSize : presetConfig(1).imgSize();
  }

  /** Patch side, the preset's unless {@code --patch-size} is given. */
  public int patchSize() {
    return patchSize != null ? patchSize : presetConfig(1).patchSize();
  }

  /** The view of the model's input, for commands that cut images into its patches. */
  public ViewOptions view() {
    ViewOptions view = new ViewOptions();
    view.imageSize = imageSize();
    view.patchSize = patchSize();
    return view;
  }

  /**
   * The preset with the overrides applied, for a codebook of {@code vocabSize}.
   *
   * @throws IllegalArgumentException naming the options to change when the sizes do not fit
   */
  public CcvitConfig model(int vocabSize) {
    CcvitConfig p = presetConfig(vocabSize);
    int image = imageSize();
    int patch = patchSize();
    int width = embedDim != null ? embedDim : p.embedDim();
    int layers = depth != null ? depth : p.depth();
    int numHeads = heads != null ? heads : p.numHeads();
    int early = earlyLayers != null ? earlyLayers : p.earlyLayers();
    double ratio = mlpRatio != null ? mlpRatio : p.mlpRatio();
    String of = " (" + preset.name().toLowerCase(java.util.Locale.ROOT) + " model)";
    require(patch > 0 && image > 0, "--image-size and --patch-size must be positive" + of);
    require(
        image % patch == 0,
        "--image-size "
            + image
            + " is not a multiple of --patch-size "
            + patch
            + of
            + ": change one of them");
    require(
        width > 0 && layers > 0 && numHeads > 0,
        "--embed-dim, --depth and --heads must be" + " positive" + of);
    require(
        width % numHeads == 0,
        "--heads "
            + numHeads
            + " does not divide --embed-dim "
            + width
            + of
            + ": give a width that is a multiple of the heads, or heads that divide the width");
    require(
        early >= 1 && early < layers,
        "--early-layers "
            + early
            + " must be at least 1 and below --depth "
            + layers
            + of
            + ": give --early-layers between 1 and "
            + (layers - 1)
            + (layers < 2 ? " (so --depth of at least 2)" : ""));
    require(
        ratio > 0 && (int) (width * ratio) > 0, "--mlp-ratio " + ratio + " must be positive" + of);
    return new CcvitConfig(
        image,
        patch,
        p.inChans(),
        width,
        layers,
        numHeads,
        ratio,
        vocabSize,
        early,
        p.pixelDepth(),
        p.layerScaleInit(),
        p.initStd(),
        p.lnEps());
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
