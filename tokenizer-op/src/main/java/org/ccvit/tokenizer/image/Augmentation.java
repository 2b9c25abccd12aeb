/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

import java.util.SplittableRandom;

/**
 * The pre-training augmentation of the original code: horizontal flip with probability p, then
 * torchvision's RandomResizedCrop (area fraction and log-aspect-ratio drawn uniformly, 10 attempts,
 * then a centre-crop fallback), then a bicubic resize to size x size. All randomness comes from the
 * caller's {@link SplittableRandom}, so a box is replayable from its seed.
 */
public final class Augmentation {
  private static final int ATTEMPTS = 10;

  private final int size;
  private final double scaleMin;
  private final double scaleMax;
  private final double ratioMin;
  private final double ratioMax;
  private final double flipProbability;

  public Augmentation(
      int size,
      double scaleMin,
      double scaleMax,
      double ratioMin,
      double ratioMax,
      double flipProbability) {
    if (size <= 0) {
      throw new IllegalArgumentException("output size must be positive, got " + size);
    }
    if (!(scaleMin > 0 && scaleMin <= scaleMax)) {
      throw new IllegalArgumentException(
          "scale range must satisfy 0 < min <= max, got [" + scaleMin + ", " + scaleMax + "]");
    }
    if (!(ratioMin > 0 && ratioMin <= ratioMax)) {
      throw new IllegalArgumentException(
          "ratio range must satisfy 0 < min <= max, got [" + ratioMin + ", " + ratioMax + "]");
    }
    if (!(flipProbability >= 0 && flipProbability <= 1)) {
      throw new IllegalArgumentException(
          "flip probability must be in [0, 1], got " + flipProbability);
    }
    this.size = size;
    this.scaleMin = scaleMin;
    this.scaleMax = scaleMax;
    this.ratioMin = ratioMin;
    this.ratioMax = ratioMax;
    this.flipProbability = flipProbability;
  }

  /** Flip 0.5, scale 0.2-1, ratio 3/4-4/3, as in the original pre-training recipe. */
  public static Augmentation original(int size) {
    return new Augmentation(size, 0.2, 1.0, 3.0 / 4.0, 4.0 / 3.0, 0.5);
  }

  public int size() {
    return size;
  }

  /** Draws the flip, then the crop box, for an image of the given size. */
  public CropBox sample(int width, int height, SplittableRandom rng) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException(
          "image size must be positive, got " + width + "x" + height);
    }
    boolean flipped = rng.nextDouble() < flipProbability;
    double area = (double) width * height;
    double logRatioMin = Math.log(ratioMin);
    double logRatioMax = Math.log(ratioMax);
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      double targetArea = area * uniform(rng, scaleMin, scaleMax);
      double ratio = Math.exp(uniform(rng, logRatioMin, logRatioMax));
      // Math.rint rounds half to even, like Python's round().
      int w = (int) Math.rint(Math.sqrt(targetArea * ratio));
      int h = (int) Math.rint(Math.sqrt(targetArea / ratio));
      if (0 < w && w <= width && 0 < h && h <= height) {
        int top = rng.nextInt(height - h + 1);
        int left = rng.nextInt(width - w + 1);
        return new CropBox(left, top, w, h, flipped);
      }
    }
    return centerFallback(width, height, flipped);
  }

  public RgbImage apply(RgbImage img, SplittableRandom rng) {
    return apply(img, sample(img.width(), img.height(), rng));
  }

  public RgbImage apply(RgbImage img, CropBox box) {
    if ((long) box.left() + box.width() > img.width()
        || (long) box.top() + box.height() > img.height()) {
      throw new IllegalArgumentException(
          box + " does not fit in a " + img.width() + "x" + img.height() + " image");
    }
    RgbImage crop;
    if (box.flipped()) {
      // The box is in flipped coordinates: crop the mirrored region, then flip only the crop.
      int mirroredLeft = img.width() - box.left() - box.width();
      crop =
          BicubicResize.crop(img, mirroredLeft, box.top(), box.width(), box.height())
              .flipHorizontal();
    } else {
      crop = BicubicResize.crop(img, box.left(), box.top(), box.width(), box.height());
    }
    return BicubicResize.resize(crop, size, size);
  }

  /** torchvision's fallback: the whole image, clamped to the ratio range, centred. */
  private CropBox centerFallback(int width, int height, boolean flipped) {
    double inRatio = (double) width / height;
    int w = width;
    int h = height;
    if (inRatio < ratioMin) {
      h = Math.max(1, (int) Math.rint(w / ratioMin));
    } else if (inRatio > ratioMax) {
      w = Math.max(1, (int) Math.rint(h * ratioMax));
    }
    return new CropBox((width - w) / 2, (height - h) / 2, w, h, flipped);
  }

  /** Python's random.uniform(a, b) = a + (b - a) * random(); also valid when a == b. */
  private static double uniform(SplittableRandom rng, double a, double b) {
    return a + (b - a) * rng.nextDouble();
  }
}
