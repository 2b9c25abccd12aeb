/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer;

import org.ccvit.tokenizer.image.CenterView;
import org.ccvit.tokenizer.image.ImageDecoder;
import org.ccvit.tokenizer.image.ImageLimits;
import org.ccvit.tokenizer.image.RgbImage;
import org.ccvit.tokenizer.patch.Patches;

/**
 * The deterministic view used to build codebooks and to tokenize images outside training: decode,
 * {@link CenterView} at the model size, then all patches in C x P x P order. Thread-safe.
 */
public final class CenterViewPatches {

  private final int imageSize;
  private final int patchSize;
  private final ImageDecoder decoder;

  public CenterViewPatches(int imageSize, int patchSize, ImageLimits limits) {
    if (imageSize % patchSize != 0) {
      throw new IllegalArgumentException(
          "image size " + imageSize + " is not a multiple of the patch size " + patchSize);
    }
    this.imageSize = imageSize;
    this.patchSize = patchSize;
    this.decoder = new ImageDecoder(limits);
  }

  public int patchesPerImage() {
    int grid = imageSize / patchSize;
    return grid * grid;
  }

  public int patchDim() {
    return RgbImage.CHANNELS * patchSize * patchSize;
  }

  /** Row-major {@code [patchesPerImage, patchDim]} values in [0, 1]. */
  public float[] extract(byte[] encoded) throws RejectedInputException {
    RgbImage view = CenterView.of(decoder.decode(encoded), imageSize);
    return Patches.fromChwBytes(view.chw(), RgbImage.CHANNELS, imageSize, imageSize, patchSize);
  }
}
