/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.analysis;

import java.util.SplittableRandom;
import org.ccvit.tokenizer.image.RgbImage;
import org.ccvit.tokenizer.masking.BlockMaskGenerator;

/**
 * Masks a share of the patches with the pre-training's blockwise masking (blocks of at least 16 of
 * 196 patches, aspect 0.3 to 3.3) and sets every pixel of a masked patch to one fill colour.
 *
 * @param fill the masked pixels' red, green and blue values, 0-255
 */
public record MaskedPatches(double ratio, int patchSize, int[] fill) implements ViewPerturbation {

  /**
   * The ImageNet mean colour (0.485, 0.456, 0.406) x 255, rounded: what a masked patch is after the
   * model's normalisation, zero.
   */
  public static final int[] IMAGENET_MEAN_RGB = {124, 116, 104};

  public MaskedPatches {
    if (!(ratio >= 0 && ratio <= 1)) {
      throw new IllegalArgumentException("mask ratio must be in [0, 1], got " + ratio);
    }
    if (fill.length != RgbImage.CHANNELS) {
      throw new IllegalArgumentException("fill needs 3 values (RGB), got " + fill.length);
    }
  }

  @Override
  public String label() {
    return "masked " + Format.number(100 * ratio) + "%";
  }

  @Override
  public Perturbed apply(RgbImage view, SplittableRandom rng) {
    int gridW = view.width() / patchSize;
    int gridH = view.height() / patchSize;
    int cells = gridW * gridH;
    BlockMaskGenerator generator =
        new BlockMaskGenerator(
            gridH, gridW, (int) Math.round(ratio * cells), Math.max(1, 16 * cells / 196), 0, 0.3);
    boolean[] mask = generator.generate(rng);
    byte[] out = view.chw().clone();
    int w = view.width();
    int h = view.height();
    for (int c = 0; c < RgbImage.CHANNELS; c++) {
      for (int y = 0; y < gridH * patchSize; y++) {
        for (int x = 0; x < gridW * patchSize; x++) {
          if (mask[(y / patchSize) * gridW + x / patchSize]) {
            out[(c * h + y) * w + x] = (byte) fill[c];
          }
        }
      }
    }
    return new Perturbed(new RgbImage(w, h, out), mask);
  }
}
