/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

/**
 * An immutable 3-channel 8-bit image stored planar, channel-major: element (c, y, x) is at {@code c
 * * height * width + y * width + x}. Planar storage matches the C x P x P patch layout of the
 * tokenizer, so patches are copied row by row.
 *
 * <p>The constructor takes ownership of the array and {@link #chw()} returns it without copying
 * (this is a hot path); callers must not modify either.
 */
public final class RgbImage {
  public static final int CHANNELS = 3;

  private final int width;
  private final int height;
  private final byte[] chw;

  public RgbImage(int width, int height, byte[] chw) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException(
          "image size must be positive, got " + width + "x" + height);
    }
    if (chw == null || (long) chw.length != (long) CHANNELS * width * height) {
      throw new IllegalArgumentException(
          "planar RGB data for "
              + width
              + "x"
              + height
              + " must have 3*"
              + width
              + "*"
              + height
              + " = "
              + (long) CHANNELS * width * height
              + " bytes, got "
              + (chw == null ? "null" : chw.length));
    }
    this.width = width;
    this.height = height;
    this.chw = chw;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** The planar C x H x W bytes (unsigned); shared, not a copy. */
  public byte[] chw() {
    return chw;
  }

  /** Channel c (0 red, 1 green, 2 blue) at row y, column x, as 0..255. */
  public int get(int c, int y, int x) {
    if (c < 0 || c >= CHANNELS || y < 0 || y >= height || x < 0 || x >= width) {
      throw new IndexOutOfBoundsException(
          "(c, y, x) = (" + c + ", " + y + ", " + x + ") outside 3x" + height + "x" + width);
    }
    return chw[(c * height + y) * width + x] & 0xFF;
  }

  /** The image mirrored left to right. */
  public RgbImage flipHorizontal() {
    byte[] out = new byte[chw.length];
    for (int row = 0; row < CHANNELS * height; row++) {
      int base = row * width;
      for (int x = 0; x < width; x++) {
        out[base + x] = chw[base + width - 1 - x];
      }
    }
    return new RgbImage(width, height, out);
  }
}
