/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.patch;

/**
 * Converts between CHW images and patch vectors in the original layout: patch grid row-major, each
 * patch {@code C*P*P} values in C x P x P order (element {@code c*P*P + y*P + x}).
 */
public final class Patches {
  /** v / 255f for every byte value: a table read instead of a float division per value. */
  private static final float[] SCALED = new float[256];

  static {
    for (int v = 0; v < 256; v++) {
      SCALED[v] = v / 255f;
    }
  }

  private Patches() {}

  /**
   * Cuts a uint8 CHW image into patches of {@code value/255f} (the ToTensor scaling).
   *
   * @return row-major {@code [gridH*gridW, C*P*P]} with gridH = height/P, gridW = width/P
   */
  public static float[] fromChwBytes(
      byte[] chw, int channels, int height, int width, int patchSize) {
    checkLayout(chw.length, channels, height, width, patchSize, "CHW byte image");
    float[] patches = new float[chw.length];
    int gridW = width / patchSize;
    int pp = patchSize * patchSize;
    int dim = channels * pp;
    for (int c = 0; c < channels; c++) {
      for (int row = 0; row < height; row++) {
        int src = (c * height + row) * width;
        int gy = row / patchSize;
        int y = row % patchSize;
        for (int gx = 0; gx < gridW; gx++) {
          int dst = (gy * gridW + gx) * dim + c * pp + y * patchSize;
          for (int x = 0; x < patchSize; x++) {
            patches[dst + x] = SCALED[chw[src + gx * patchSize + x] & 0xff];
          }
        }
      }
    }
    return patches;
  }

  /**
   * Folds patches back into a float CHW image (the inverse of {@link #fromChwBytes} without the
   * scaling), e.g. to build an image from centroids.
   *
   * @param patches row-major {@code [gridH*gridW, C*P*P]}
   * @param chw destination of length {@code channels*height*width}
   */
  public static void toChw(
      float[] patches, int channels, int height, int width, int patchSize, float[] chw) {
    checkLayout(patches.length, channels, height, width, patchSize, "patch array");
    checkLayout(chw.length, channels, height, width, patchSize, "CHW destination");
    int gridW = width / patchSize;
    int pp = patchSize * patchSize;
    int dim = channels * pp;
    for (int c = 0; c < channels; c++) {
      for (int row = 0; row < height; row++) {
        int dst = (c * height + row) * width;
        int gy = row / patchSize;
        int y = row % patchSize;
        for (int gx = 0; gx < gridW; gx++) {
          System.arraycopy(
              patches,
              (gy * gridW + gx) * dim + c * pp + y * patchSize,
              chw,
              dst + gx * patchSize,
              patchSize);
        }
      }
    }
  }

  private static void checkLayout(
      int length, int channels, int height, int width, int patchSize, String what) {
    if (channels < 1 || height < 1 || width < 1 || patchSize < 1) {
      throw new IllegalArgumentException(
          "channels, height, width and patchSize must be >= 1, got "
              + channels
              + ", "
              + height
              + ", "
              + width
              + ", "
              + patchSize);
    }
    if (height % patchSize != 0 || width % patchSize != 0) {
      throw new IllegalArgumentException(
          "image "
              + height
              + "x"
              + width
              + " is not a whole number of "
              + patchSize
              + "x"
              + patchSize
              + " patches; crop or resize it to a multiple of the patch size first");
    }
    if ((long) channels * height * width != length) {
      throw new IllegalArgumentException(
          what
              + " has "
              + length
              + " values but "
              + channels
              + "x"
              + height
              + "x"
              + width
              + " needs "
              + (long) channels * height * width);
    }
  }
}
