/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.patch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.ccvit.tokenizer.SharedData;
import org.ccvit.tokenizer.npy.Npy;
import org.ccvit.tokenizer.npy.NpyArray;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class PatchesTest {
  @TestFactory
  Stream<DynamicTest> matchesTheOriginalPatchLayout() {
    return SharedData.goldenCasesWith("images_u8.npy", "patches_cpp.npy", "images_01.npy").stream()
        .map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> check(c)));
  }

  private static void check(Path goldenCase) {
    NpyArray u8Array = Npy.read(goldenCase.resolve("images_u8.npy")); // [B, C, H, W]
    NpyArray expectedArray = Npy.read(goldenCase.resolve("patches_cpp.npy")); // [B * N, C * P * P]
    int[] shape = u8Array.shape();
    int images = shape[0];
    int channels = shape[1];
    int height = shape[2];
    int width = shape[3];
    int dim = expectedArray.shape()[1];
    int patch = (int) Math.round(Math.sqrt(dim / (double) channels));
    int perImage = expectedArray.shape()[0] / images * dim;
    int[] u8 = u8Array.toInts();
    float[] expected = expectedArray.toFloats();
    float[] images01 = Npy.read(goldenCase.resolve("images_01.npy")).toFloats();
    int imageSize = channels * height * width;
    for (int b = 0; b < images; b++) {
      byte[] chw = new byte[imageSize];
      for (int i = 0; i < imageSize; i++) {
        chw[i] = (byte) u8[b * imageSize + i];
      }
      float[] patches = Patches.fromChwBytes(chw, channels, height, width, patch);
      assertArrayEquals(
          Arrays.copyOfRange(expected, b * perImage, (b + 1) * perImage), patches, "image " + b);

      float[] back = new float[imageSize];
      Patches.toChw(patches, channels, height, width, patch, back);
      assertArrayEquals(Arrays.copyOfRange(images01, b * imageSize, (b + 1) * imageSize), back);
    }
  }

  @Test
  void nonSquareGridIsRowMajor() {
    // 1 channel, 2x3 patches of size 2: pixel value = its patch index * 4 + position in patch
    int h = 4;
    int w = 6;
    byte[] img = new byte[h * w];
    for (int row = 0; row < h; row++) {
      for (int col = 0; col < w; col++) {
        img[row * w + col] = (byte) (((row / 2) * 3 + col / 2) * 4 + (row % 2) * 2 + col % 2);
      }
    }
    float[] p = Patches.fromChwBytes(img, 1, h, w, 2);
    for (int i = 0; i < p.length; i++) {
      assertEquals(i / 255f, p[i]);
    }
  }

  @Test
  void refusesSizesThatDoNotFit() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Patches.fromChwBytes(new byte[3 * 30 * 32], 3, 30, 32, 4));
    assertTrue(e.getMessage().contains("30x32"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Patches.fromChwBytes(new byte[100], 3, 32, 32, 4));
    assertTrue(e.getMessage().contains("3072"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> Patches.toChw(new float[48], 3, 4, 4, 4, new float[47]));
  }
}
