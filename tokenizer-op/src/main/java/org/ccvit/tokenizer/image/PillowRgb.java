/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import org.ccvit.tokenizer.RejectedInputException;

/**
 * A decoded image to 8-bit RGB the way Pillow 9.4's {@code convert("RGB")} turns what it opened
 * into RGB (checked against Pillow on files of every kind, see the tests):
 *
 * <ul>
 *   <li>grayscale is replicated to three channels; 1-, 2- and 4-bit gray is stretched ({@code v *
 *       255 / max});
 *   <li>alpha (an alpha band, a palette's alpha, a tRNS chunk) is dropped without compositing;
 *   <li>palettes are looked up (an index past the palette reads black);
 *   <li>16-bit colour, and 16-bit gray with alpha, keep the high byte (Pillow unpacks them as
 *       "RGB;16B", "LA;16B"); 16-bit gray without alpha is clipped at 255, because Pillow opens it
 *       as a 32-bit integer image ("I") whose conversion clips;
 *   <li>CMYK becomes {@code 255 - k - c * (255 - k) / 255} per channel, rounded as Pillow's {@code
 *       cmyk2rgb}; no colour profile is applied, embedded ICC profiles are ignored.
 * </ul>
 */
final class PillowRgb {
  private PillowRgb() {}

  /**
   * @param alphaChannel whether the file stores alpha of its own (not a tRNS chunk): decides how
   *     16-bit gray becomes 8-bit
   */
  static RgbImage convert(ImageFormat format, BufferedImage image, boolean alphaChannel)
      throws RejectedInputException {
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    int width = image.getWidth();
    int height = image.getHeight();
    if (cm instanceof IndexColorModel palette) {
      int[] indices =
          raster.getSamples(raster.getMinX(), raster.getMinY(), width, height, 0, (int[]) null);
      return fromPalette(indices, palette, width, height);
    }
    int transfer = raster.getTransferType();
    if (transfer == DataBuffer.TYPE_FLOAT || transfer == DataBuffer.TYPE_DOUBLE) {
      throw ImageDecoder.reject(
          "unsupported " + format.label() + " with floating-point samples; expected integer");
    }
    if (!(cm instanceof ComponentColorModel) && !(cm instanceof DirectColorModel)) {
      throw ImageDecoder.reject(
          "unsupported "
              + format.label()
              + " colour model "
              + cm.getClass().getSimpleName()
              + "; expected RGB, grayscale, CMYK or palette");
    }
    int colours = cm.getNumColorComponents();
    int csType = cm.getColorSpace().getType();
    if (csType == ColorSpace.TYPE_RGB && colours == 3) {
      return fromComponents(raster, new int[] {0, 1, 2}, WideSamples.HIGH_BYTE, width, height);
    }
    if (csType == ColorSpace.TYPE_GRAY && colours == 1) {
      WideSamples wide = alphaChannel ? WideSamples.HIGH_BYTE : WideSamples.CLIP;
      return fromComponents(raster, new int[] {0, 0, 0}, wide, width, height);
    }
    if (csType == ColorSpace.TYPE_CMYK
        && colours == 4
        && raster.getSampleModel().getSampleSize(0) == 8) {
      return fromCmyk(raster, width, height);
    }
    throw ImageDecoder.reject(
        "unsupported "
            + format.label()
            + " colour space with "
            + colours
            + " components; expected RGB, grayscale, CMYK or palette");
  }

  /** How samples wider than 8 bits become bytes. */
  private enum WideSamples {
    HIGH_BYTE,
    CLIP
  }

  private static RgbImage fromComponents(
      Raster raster, int[] sourceBands, WideSamples wide, int width, int height) {
    // An alpha band, if any, comes after the colour bands and is simply not read.
    if (raster.getDataBuffer() instanceof DataBufferByte bytes
        && raster.getSampleModel() instanceof ComponentSampleModel layout
        && raster.getMinX() == 0
        && raster.getMinY() == 0
        && raster.getSampleModelTranslateX() == 0
        && raster.getSampleModelTranslateY() == 0) {
      return fromByteRaster(bytes, layout, sourceBands, width, height);
    }
    return fromSamples(raster, sourceBands, wide, width, height);
  }

  /** Fast path (every 8-bit JPEG and PNG): strided copy straight out of the raster's array. */
  private static RgbImage fromByteRaster(
      DataBufferByte bytes, ComponentSampleModel layout, int[] sourceBands, int width, int height) {
    int plane = width * height;
    byte[] out = new byte[3 * plane];
    int pixelStride = layout.getPixelStride();
    int scanlineStride = layout.getScanlineStride();
    for (int c = 0; c < 3; c++) {
      if (c > 0 && sourceBands[c] == sourceBands[c - 1]) {
        System.arraycopy(out, (c - 1) * plane, out, c * plane, plane);
        continue;
      }
      int bank = layout.getBankIndices()[sourceBands[c]];
      byte[] data = bytes.getData(bank);
      int start = bytes.getOffsets()[bank] + layout.getBandOffsets()[sourceBands[c]];
      int o = c * plane;
      for (int y = 0; y < height; y++) {
        int i = start + y * scanlineStride;
        for (int x = 0; x < width; x++, i += pixelStride) {
          out[o++] = data[i];
        }
      }
    }
    return new RgbImage(width, height, out);
  }

  /** Any other layout (16-bit, packed 5-6-5, 1/2/4-bit gray, ...): bulk sample reads per band. */
  private static RgbImage fromSamples(
      Raster raster, int[] sourceBands, WideSamples wide, int width, int height) {
    int plane = width * height;
    byte[] out = new byte[3 * plane];
    int[] samples = new int[plane];
    for (int c = 0; c < 3; c++) {
      if (c > 0 && sourceBands[c] == sourceBands[c - 1]) {
        System.arraycopy(out, (c - 1) * plane, out, c * plane, plane);
        continue;
      }
      int bits = raster.getSampleModel().getSampleSize(sourceBands[c]);
      int maxValue = (1 << bits) - 1;
      raster.getSamples(raster.getMinX(), raster.getMinY(), width, height, sourceBands[c], samples);
      int o = c * plane;
      for (int i = 0; i < plane; i++) {
        int v = samples[i];
        int b;
        if (bits <= 8) {
          b = v * 255 / maxValue; // Pillow's "L;2", "L;4", "BGR;16" unpackers stretch the same way
        } else {
          b = wide == WideSamples.CLIP ? Math.min(v, 255) : v >> (bits - 8);
        }
        out[o + i] = (byte) b;
      }
    }
    return new RgbImage(width, height, out);
  }

  /** Pillow's cmyk2rgb: nk = 255 - k; channel = nk - round(c * nk / 255), in integer steps. */
  private static RgbImage fromCmyk(Raster raster, int width, int height) {
    int plane = width * height;
    int[] k =
        raster.getSamples(raster.getMinX(), raster.getMinY(), width, height, 3, new int[plane]);
    int[] ink = new int[plane];
    byte[] out = new byte[3 * plane];
    for (int c = 0; c < 3; c++) {
      raster.getSamples(raster.getMinX(), raster.getMinY(), width, height, c, ink);
      int o = c * plane;
      for (int i = 0; i < plane; i++) {
        int nk = 255 - k[i];
        int t = ink[i] * nk + 128;
        int scaled = ((t >> 8) + t) >> 8;
        out[o + i] = (byte) Math.max(0, Math.min(255, nk - scaled));
      }
    }
    return new RgbImage(width, height, out);
  }

  static RgbImage fromPalette(int[] indices, IndexColorModel palette, int width, int height) {
    int plane = width * height;
    // 256 entries so that an index past a short palette reads black instead of failing.
    byte[] reds = new byte[256];
    byte[] greens = new byte[256];
    byte[] blues = new byte[256];
    palette.getReds(reds);
    palette.getGreens(greens);
    palette.getBlues(blues);
    byte[] out = new byte[3 * plane];
    for (int i = 0; i < plane; i++) {
      int index = indices[i] & 0xFF;
      out[i] = reds[index];
      out[plane + i] = greens[index];
      out[2 * plane + i] = blues[index];
    }
    return new RgbImage(width, height, out);
  }
}
