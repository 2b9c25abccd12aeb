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
import org.ccvit.tokenizer.patch.Patches;

/**
 * Real 16x16x3 patches for tests and benchmarks: the JPEGs of a WebDataset shard, decoded in shard
 * order, values / 255, each patch C x P x P (element c*256 + y*16 + x), grid row-major.
 */
public final class ImagenettePatches {
  public static final int PATCH = 16;
  public static final int DIM = 3 * PATCH * PATCH;

  /** An Imagenette training shard, relative to the shared datasets folder. */
  public static final String TRAIN_SHARD = "imagenette-224/train-00000.tar.gz";

  private ImagenettePatches() {}

  /** The first {@code count} patches of the shard, row-major [count, DIM]. */
  public static float[] read(Path shard, int count) throws IOException {
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
    int height = image.getHeight() / PATCH * PATCH;
    int width = image.getWidth() / PATCH * PATCH;
    // getRGB expands grayscale JPEGs to RGB.
    int[] rgb = image.getRGB(0, 0, width, height, null, 0, width);
    byte[] chw = new byte[3 * height * width];
    for (int p = 0; p < rgb.length; p++) {
      chw[p] = (byte) (rgb[p] >> 16);
      chw[height * width + p] = (byte) (rgb[p] >> 8);
      chw[2 * height * width + p] = (byte) rgb[p];
    }
    float[] patches = Patches.fromChwBytes(chw, 3, height, width, PATCH);
    int taken = Math.min(count - filled, patches.length / DIM);
    System.arraycopy(patches, 0, out, filled * DIM, taken * DIM);
    return filled + taken;
  }
}
