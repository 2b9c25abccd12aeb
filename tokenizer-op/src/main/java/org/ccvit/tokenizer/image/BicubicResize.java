/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

import java.util.Arrays;

/**
 * Bicubic resampling that reproduces Pillow's {@code Image.resize(size, Image.BICUBIC)} on 8-bit
 * RGB images bit for bit (Pillow's Resample.c): a separable cubic convolution kernel with a = -0.5
 * and support 2, widened by the scale factor when shrinking (antialiasing), coefficients normalised
 * per output pixel and rounded to 22-bit fixed point, a horizontal pass into an 8-bit intermediate
 * image, then a vertical pass, each rounding and clamping to 0..255.
 */
public final class BicubicResize {
  private static final int PRECISION_BITS = 32 - 8 - 2;
  private static final double SUPPORT = 2.0;

  private BicubicResize() {}

  public static RgbImage resize(RgbImage src, int outWidth, int outHeight) {
    if (outWidth <= 0 || outHeight <= 0) {
      throw new IllegalArgumentException(
          "output size must be positive, got " + outWidth + "x" + outHeight);
    }
    int inWidth = src.width();
    int inHeight = src.height();
    if (inWidth == outWidth && inHeight == outHeight) {
      return src;
    }
    Coefficients vertical = Coefficients.of(inHeight, outHeight);
    // Like Pillow, the horizontal pass only produces the source rows the vertical pass reads.
    int first = outHeight == inHeight ? 0 : vertical.start[0];
    int last =
        outHeight == inHeight
            ? inHeight
            : vertical.start[outHeight - 1] + vertical.count[outHeight - 1];
    int rows = last - first;
    int[] plane;
    if (outWidth != inWidth) {
      plane =
          horizontal(
              columns(src.chw(), inWidth, inHeight, first, last),
              inWidth,
              rows,
              Coefficients.of(inWidth, outWidth));
    } else {
      plane = unsigned(src.chw(), inWidth * inHeight, first * inWidth, rows * inWidth);
    }
    byte[] data =
        outHeight != inHeight ? vertical(plane, outWidth, rows, first, vertical) : toBytes(plane);
    return new RgbImage(outWidth, outHeight, data);
  }

  /** The sub-image with top-left corner (left, top); it must lie inside the image. */
  public static RgbImage crop(RgbImage src, int left, int top, int width, int height) {
    if (width <= 0
        || height <= 0
        || left < 0
        || top < 0
        || (long) left + width > src.width()
        || (long) top + height > src.height()) {
      throw new IllegalArgumentException(
          "crop box left="
              + left
              + ", top="
              + top
              + ", "
              + width
              + "x"
              + height
              + " must be non-empty and inside the "
              + src.width()
              + "x"
              + src.height()
              + " image");
    }
    if (width == src.width() && height == src.height()) {
      return src;
    }
    byte[] in = src.chw();
    byte[] out = new byte[3 * width * height];
    int o = 0;
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < height; y++) {
        System.arraycopy(in, (c * src.height() + top + y) * src.width() + left, out, o, width);
        o += width;
      }
    }
    return new RgbImage(width, height, out);
  }

  /*
   * Both passes run as one kernel over contiguous int rows ({@link #accumulate}), which C2
   * vectorises: the vertical pass directly, the horizontal one on the transposed image (columns as
   * rows). Integer sums do not depend on the order of the additions, so the result is Pillow's.
   */

  /** Channel planes of rows [first, last) as unsigned ints, transposed: [3][width][last-first]. */
  private static int[] columns(byte[] chw, int width, int height, int first, int last) {
    int rows = last - first;
    int[] out = new int[3 * width * rows];
    for (int c = 0; c < 3; c++) {
      for (int y = first; y < last; y++) {
        int in = (c * height + y) * width;
        int o = c * width * rows + (y - first);
        for (int x = 0; x < width; x++) {
          out[o + x * rows] = chw[in + x] & 0xFF;
        }
      }
    }
    return out;
  }

  /** Values [from, from+length) of each of the 3 planes of planeSize bytes, as unsigned ints. */
  private static int[] unsigned(byte[] chw, int planeSize, int from, int length) {
    int[] out = new int[3 * length];
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < length; i++) {
        out[c * length + i] = chw[c * planeSize + from + i] & 0xFF;
      }
    }
    return out;
  }

  /** Resamples the transposed planes [3][inWidth][rows] to [3][rows][outWidth], 8-bit values. */
  private static int[] horizontal(int[] columns, int inWidth, int rows, Coefficients k) {
    int outWidth = k.start.length;
    int[] out = new int[3 * rows * outWidth];
    int[] sums = new int[rows];
    for (int c = 0; c < 3; c++) {
      for (int x = 0; x < outWidth; x++) {
        accumulate(columns, c * inWidth * rows, rows, 0, k, x, sums);
        int o = c * rows * outWidth + x;
        for (int y = 0; y < rows; y++) {
          out[o + y * outWidth] = clip8(sums[y]);
        }
      }
    }
    return out;
  }

  /** Resamples every column; input rows are numbered from rowOffset in the source image. */
  private static byte[] vertical(int[] in, int width, int inRows, int rowOffset, Coefficients k) {
    int outHeight = k.start.length;
    byte[] out = new byte[3 * outHeight * width];
    int[] sums = new int[width];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < outHeight; y++) {
        accumulate(in, c * inRows * width, width, rowOffset, k, y, sums);
        int o = (c * outHeight + y) * width;
        for (int x = 0; x < width; x++) {
          out[o + x] = (byte) clip8(sums[x]);
        }
      }
    }
    return out;
  }

  /**
   * sums[0..length) = the fixed-point sums of output position t over the rows of a plane at base
   * (rows of {@code length} values, numbered from rowOffset), with rounding bias.
   */
  private static void accumulate(
      int[] in, int base, int length, int rowOffset, Coefficients k, int t, int[] sums) {
    Arrays.fill(sums, 1 << (PRECISION_BITS - 1));
    int w = t * k.size;
    for (int i = 0, n = k.count[t]; i < n; i++) {
      int weight = k.weights[w + i];
      int row = base + (k.start[t] - rowOffset + i) * length;
      for (int j = 0; j < length; j++) {
        sums[j] += in[row + j] * weight;
      }
    }
  }

  private static byte[] toBytes(int[] values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  private static int clip8(int sum) {
    if (sum >= (1 << PRECISION_BITS << 8)) {
      return 255;
    }
    if (sum <= 0) {
      return 0;
    }
    return sum >> PRECISION_BITS;
  }

  private static double cubic(double x) {
    final double a = -0.5;
    x = Math.abs(x);
    if (x < 1.0) {
      return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    }
    if (x < 2.0) {
      return (((x - 5) * x + 8) * x - 4) * a;
    }
    return 0.0;
  }

  /**
   * Per output position: the first source index, how many source samples it reads and their
   * fixed-point weights (row x of a table with {@code size} columns), as Pillow's precompute_coeffs
   * and normalize_coeffs_8bpc compute them.
   */
  private record Coefficients(int[] start, int[] count, int size, int[] weights) {
    static Coefficients of(int inSize, int outSize) {
      double scale = (double) inSize / outSize;
      double filterScale = Math.max(scale, 1.0);
      double support = SUPPORT * filterScale;
      // Pillow multiplies by the reciprocal; dividing would differ in the last bit.
      double invFilterScale = 1.0 / filterScale;
      int size = (int) Math.ceil(support) * 2 + 1;
      int[] start = new int[outSize];
      int[] count = new int[outSize];
      int[] weights = new int[outSize * size];
      double[] k = new double[size];
      for (int xx = 0; xx < outSize; xx++) {
        double center = (xx + 0.5) * scale;
        // (int) truncates toward zero like the C cast; negative values are clamped anyway.
        int xmin = Math.max((int) (center - support + 0.5), 0);
        int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
        double total = 0.0;
        for (int x = 0; x < xmax; x++) {
          k[x] = cubic((x + xmin - center + 0.5) * invFilterScale);
          total += k[x];
        }
        for (int x = 0; x < xmax; x++) {
          double normalized = total != 0.0 ? k[x] / total : k[x];
          weights[xx * size + x] =
              (int)
                  (normalized < 0
                      ? -0.5 + normalized * (1 << PRECISION_BITS)
                      : 0.5 + normalized * (1 << PRECISION_BITS));
        }
        start[xx] = xmin;
        count[xx] = xmax;
      }
      return new Coefficients(start, count, size, weights);
    }
  }
}
