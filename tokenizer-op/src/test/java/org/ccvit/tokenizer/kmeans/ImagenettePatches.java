/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.kmeans;

import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Real 16x16x3 patches for tests and benchmarks: the JPEGs of a WebDataset shard, decoded in shard
 * order, values / 255, each patch C x P x P (element c*256 + y*16 + x), grid row-major.
 */
final class ImagenettePatches {
  static final int PATCH = 16;
  static final int DIM = 3 * PATCH * PATCH;

  private ImagenettePatches() {}

  /** The Imagenette training shard under the shared datasets folder (may not exist). */
  static Path defaultShard() {
    String datasets = System.getProperty("ccvit.datasets.dir", "../shared/datasets");
    return Path.of(datasets, "imagenette-224", "train-00000.tar.gz");
  }

  /** The first {@code count} patches of the shard, row-major [count, DIM]. */
  static float[] read(Path shard, int count) throws IOException {
    float[] out = new float[count * DIM];
    int filled = 0;
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(shard));
        TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(raw))) {
      TarArchiveEntry entry;
      while (filled < count && (entry = tar.getNextEntry()) != null) {
        if (!entry.getName().endsWith(".jpg")) {
          continue;
        }
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(tar.readAllBytes()));
        if (image == null) {
          throw new IOException("cannot decode " + entry.getName() + " in " + shard);
        }
        filled = addPatches(image, out, filled, count);
      }
    }
    if (filled < count) {
      throw new IOException(shard + " holds only " + filled + " patches, " + count + " wanted");
    }
    return out;
  }

  private static int addPatches(BufferedImage image, float[] out, int filled, int count) {
    int rows = image.getHeight() / PATCH;
    int cols = image.getWidth() / PATCH;
    // getRGB expands grayscale JPEGs to RGB.
    int[] rgb = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    for (int gy = 0; gy < rows && filled < count; gy++) {
      for (int gx = 0; gx < cols && filled < count; gx++) {
        int base = filled * DIM;
        for (int y = 0; y < PATCH; y++) {
          for (int x = 0; x < PATCH; x++) {
            int pixel = rgb[(gy * PATCH + y) * image.getWidth() + gx * PATCH + x];
            int at = y * PATCH + x;
            out[base + at] = ((pixel >> 16) & 0xff) / 255f;
            out[base + PATCH * PATCH + at] = ((pixel >> 8) & 0xff) / 255f;
            out[base + 2 * PATCH * PATCH + at] = (pixel & 0xff) / 255f;
          }
        }
        filled++;
      }
    }
    return filled;
  }
}
