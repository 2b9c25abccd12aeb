/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer;

import java.io.Serializable;
import org.ccvit.tokenizer.image.ImageLimits;

/**
 * Everything that decides how an image becomes a training sample: view size, patch size, corruption
 * counts and the run seed. The original recipe is {@link #original(long)}; other image sizes scale
 * the counts by the number of patches.
 */
public record TokenizerConfig(
    int imageSize,
    int patchSize,
    int numMasked,
    int numReplaced,
    int minBlockPatches,
    double minAspect,
    long seed,
    ImageLimits limits)
    implements Serializable {

  /** Patches per image in the original recipe (14 x 14). */
  private static final int ORIGINAL_PATCHES = 196;

  public TokenizerConfig {
    if (imageSize <= 0 || patchSize <= 0 || imageSize % patchSize != 0) {
      throw new IllegalArgumentException(
          "image size "
              + imageSize
              + " must be a positive multiple of the patch size "
              + patchSize);
    }
    int patches = (imageSize / patchSize) * (imageSize / patchSize);
    if (numMasked < 1 || numReplaced < 0 || numMasked + numReplaced > patches) {
      throw new IllegalArgumentException(
          "masked ("
              + numMasked
              + ") + replaced ("
              + numReplaced
              + ") must fit in the "
              + patches
              + " patches of a "
              + imageSize
              + "px image with "
              + patchSize
              + "px patches");
    }
  }

  /** The original recipe: 224px views, 16px patches, 75 masked and 20 replaced of 196. */
  public static TokenizerConfig original(long seed) {
    return forSize(224, 16, seed);
  }

  /** The original recipe scaled to another grid (counts keep their share of the patches). */
  public static TokenizerConfig forSize(int imageSize, int patchSize, long seed) {
    int grid = imageSize / patchSize;
    int patches = grid * grid;
    return new TokenizerConfig(
        imageSize,
        patchSize,
        scaled(75, patches),
        scaled(20, patches),
        Math.max(1, scaled(16, patches)),
        0.3,
        seed,
        ImageLimits.defaults());
  }

  /** Rounds down, which reproduces the golden 8 x 8 case (24 masked, 6 replaced, blocks >= 5). */
  private static int scaled(int originalCount, int patches) {
    return originalCount * patches / ORIGINAL_PATCHES;
  }

  public int gridSize() {
    return imageSize / patchSize;
  }

  public int numPatches() {
    return gridSize() * gridSize();
  }
}
