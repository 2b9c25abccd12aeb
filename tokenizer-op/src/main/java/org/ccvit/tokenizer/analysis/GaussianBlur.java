/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.analysis;

import java.util.SplittableRandom;
import org.ccvit.tokenizer.image.RgbImage;

/**
 * A separable Gaussian blur of standard deviation sigma pixels, kernel radius ceil(3 sigma), edges
 * mirrored without repeating the border pixel (torchvision's "reflect" padding); the result is
 * rounded to 8 bits.
 */
public record GaussianBlur(double sigma, int patchSize) implements ViewPerturbation {

  public GaussianBlur {
    if (!(sigma > 0)) {
      throw new IllegalArgumentException("blur sigma must be > 0, got " + sigma);
    }
  }

  @Override
  public String label() {
    return "Gaussian blur sigma=" + Format.number(sigma);
  }

  /** The normalised weights at offsets -radius..radius. */
  double[] kernel() {
    int radius = (int) Math.ceil(3 * sigma);
    double[] k = new double[2 * radius + 1];
    double sum = 0;
    for (int i = -radius; i <= radius; i++) {
      k[i + radius] = Math.exp(-(i * (double) i) / (2 * sigma * sigma));
      sum += k[i + radius];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    return k;
  }

  @Override
  public Perturbed apply(RgbImage view, SplittableRandom rng) {
    int w = view.width();
    int h = view.height();
    double[] k = kernel();
    int radius = k.length / 2;
    byte[] in = view.chw();
    byte[] out = new byte[in.length];
    double[] rows = new double[w * h];
    for (int c = 0; c < RgbImage.CHANNELS; c++) {
      int plane = c * w * h;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double sum = 0;
          for (int i = -radius; i <= radius; i++) {
            sum += k[i + radius] * (in[plane + y * w + reflect(x + i, w)] & 0xff);
          }
          rows[y * w + x] = sum;
        }
      }
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double sum = 0;
          for (int i = -radius; i <= radius; i++) {
            sum += k[i + radius] * rows[reflect(y + i, h) * w + x];
          }
          out[plane + y * w + x] = Format.clampToByte(sum);
        }
      }
    }
    return new Perturbed(new RgbImage(w, h, out), ViewPerturbation.allPatches(view, patchSize));
  }

  /**
   * Index mirrored at the edges (-1 -> 1, n -> n-2), repeatedly for kernels wider than the image.
   */
  static int reflect(int i, int n) {
    if (n == 1) {
      return 0;
    }
    int period = 2 * (n - 1);
    int m = Math.floorMod(i, period);
    return m < n ? m : period - m;
  }
}
