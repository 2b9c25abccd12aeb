/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.search;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/** Natural RGB patch vectors (C x P x P, values /255) cut from the shared photos. */
final class RealPatches {
  private final List<BufferedImage> photos;

  RealPatches(Path photoDir, int maxPhotos) {
    try (Stream<Path> files = Files.list(photoDir)) {
      photos =
          files
              .filter(f -> f.toString().endsWith(".jpg"))
              .sorted()
              .limit(maxPhotos)
              .map(RealPatches::decode)
              .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static BufferedImage decode(Path file) {
    try {
      return ImageIO.read(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code count} patches at seeded random photos and positions, row-major [count, 3*P*P]. */
  float[] sample(int count, int patchSize, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int dim = 3 * patchSize * patchSize;
    float[] out = new float[count * dim];
    int[] rgb = new int[patchSize * patchSize];
    for (int n = 0; n < count; n++) {
      BufferedImage img = photos.get(rng.nextInt(photos.size()));
      int left = rng.nextInt(img.getWidth() - patchSize + 1);
      int top = rng.nextInt(img.getHeight() - patchSize + 1);
      img.getRGB(left, top, patchSize, patchSize, rgb, 0, patchSize);
      for (int c = 0; c < 3; c++) {
        int shift = 16 - 8 * c;
        for (int j = 0; j < rgb.length; j++) {
          out[n * dim + c * rgb.length + j] = ((rgb[j] >> shift) & 0xff) / 255f;
        }
      }
    }
    return out;
  }
}
