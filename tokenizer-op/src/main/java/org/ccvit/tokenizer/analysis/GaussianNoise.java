/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.analysis;

import java.util.Locale;
import java.util.SplittableRandom;
import org.ccvit.tokenizer.image.RgbImage;

/**
 * Independent Gaussian noise on every channel value, sigma on the 0-255 scale; the result is
 * rounded and clipped to 0-255, so it is again an 8-bit image as a file would hold it.
 */
public record GaussianNoise(double sigma, int patchSize) implements ViewPerturbation {

  public GaussianNoise {
    if (!(sigma >= 0)) {
      throw new IllegalArgumentException("noise sigma must be >= 0, got " + sigma);
    }
  }

  @Override
  public String label() {
    return String.format(Locale.ROOT, "Gaussian noise sigma=%s", Format.number(sigma));
  }

  @Override
  public Perturbed apply(RgbImage view, SplittableRandom rng) {
    byte[] in = view.chw();
    byte[] out = new byte[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] = Format.clampToByte((in[i] & 0xff) + sigma * rng.nextGaussian());
    }
    return new Perturbed(
        new RgbImage(view.width(), view.height(), out),
        ViewPerturbation.allPatches(view, patchSize));
  }
}
