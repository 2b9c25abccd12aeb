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
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.ccvit.tokenizer.RejectedInputException;

/**
 * Decodes JPEG and PNG bytes to an {@link RgbImage} the way PIL's {@code
 * Image.open(...).convert("RGB")} sees them: grayscale is replicated to three channels, alpha is
 * dropped without compositing, palettes are looked up, 16-bit samples keep their high byte (as
 * Pillow's 16-bit RGB unpacker does). Embedded ICC profiles are ignored, as PIL does.
 *
 * <p>Everything the decoder cannot use is a {@link RejectedInputException} with stage "decode":
 * empty or unknown bytes, images larger than the {@link ImageLimits} (checked from the header,
 * before pixels are decoded), truncated data, CMYK/YCCK JPEGs. Thread-safe: each call uses its own
 * reader.
 */
public final class ImageDecoder {
  static final String STAGE = "decode";

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  private final ImageLimits limits;

  public ImageDecoder(ImageLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  public RgbImage decode(byte[] encoded) throws RejectedInputException {
    if (encoded == null || encoded.length == 0) {
      throw reject("empty input: expected the bytes of a JPEG or PNG image");
    }
    if (encoded.length > limits.maxEncodedBytes()) {
      throw reject(
          "encoded image has "
              + encoded.length
              + " bytes, more than the limit of "
              + limits.maxEncodedBytes());
    }
    String format = sniffFormat(encoded);
    // ImageIO's PNG reader checks neither CRCs nor the end of the stream.
    if (format.equals("png") && !containsIend(encoded)) {
      throw reject("truncated png data: no IEND chunk, the file is cut off");
    }
    ImageReader reader = newReader(format);
    List<String> warnings = new ArrayList<>();
    reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
      reader.setInput(in, true, true);
      checkDimensions(format, reader);
      BufferedImage image;
      try {
        image = reader.read(0);
      } catch (IOException | RuntimeException e) {
        throw reject(describeReadFailure(format, e), e);
      }
      // ImageIO returns whatever it decoded from a cut-off JPEG and only warns.
      for (String warning : warnings) {
        if (isTruncationWarning(warning)) {
          throw reject("truncated " + format + " data (" + warning + ")");
        }
      }
      return toRgb(format, image);
    } catch (IOException e) {
      throw reject("cannot read " + format + " bytes: " + e.getMessage(), e);
    } finally {
      reader.dispose();
    }
  }

  private static String sniffFormat(byte[] b) throws RejectedInputException {
    if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
      return "jpeg";
    }
    if (b.length >= PNG_SIGNATURE.length) {
      boolean png = true;
      for (int i = 0; i < PNG_SIGNATURE.length && png; i++) {
        png = b[i] == PNG_SIGNATURE[i];
      }
      if (png) {
        return "png";
      }
    }
    StringBuilder head = new StringBuilder();
    for (int i = 0; i < Math.min(8, b.length); i++) {
      head.append(String.format(Locale.ROOT, "%02x", b[i] & 0xFF));
    }
    throw reject(
        "not a JPEG or PNG image (first bytes "
            + head
            + "; expected ffd8ff for JPEG or 89504e470d0a1a0a for PNG)");
  }

  private static boolean containsIend(byte[] b) {
    for (int i = b.length - 4; i >= PNG_SIGNATURE.length; i--) {
      if (b[i] == 'I' && b[i + 1] == 'E' && b[i + 2] == 'N' && b[i + 3] == 'D') {
        return true;
      }
    }
    return false;
  }

  private static ImageReader newReader(String format) {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
    if (!readers.hasNext()) {
      throw new IllegalStateException("this JDK has no ImageIO reader for " + format);
    }
    return readers.next();
  }

  private void checkDimensions(String format, ImageReader reader) throws RejectedInputException {
    int width;
    int height;
    try {
      width = reader.getWidth(0);
      height = reader.getHeight(0);
    } catch (IOException | RuntimeException e) {
      throw reject("unreadable " + format + " header: " + e.getMessage(), e);
    }
    if (width <= 0 || height <= 0) {
      throw reject(format + " header declares an empty image of " + width + "x" + height);
    }
    if (width > limits.maxSide() || height > limits.maxSide()) {
      throw reject(
          format
              + " header declares "
              + width
              + "x"
              + height
              + ", a side longer than the limit of "
              + limits.maxSide());
    }
    if ((long) width * height > limits.maxPixels()) {
      throw reject(
          format
              + " header declares "
              + width
              + "x"
              + height
              + " = "
              + (long) width * height
              + " pixels, more than the limit of "
              + limits.maxPixels());
    }
  }

  private static String describeReadFailure(String format, Exception e) {
    String message = String.valueOf(e.getMessage());
    if (format.equals("jpeg") && message.contains("Unsupported Image Type")) {
      return "unsupported JPEG colour space (CMYK, YCCK or another 4-channel JPEG); expected"
          + " YCbCr/RGB or grayscale";
    }
    return "corrupt or truncated " + format + " data: " + message;
  }

  /** libjpeg's "Premature end of JPEG file" and the JDK's "Missing EOI marker". */
  private static boolean isTruncationWarning(String warning) {
    String w = warning.toLowerCase(Locale.ROOT);
    return w.contains("premature end") || w.contains("eoi") || w.contains("truncated");
  }

  private static RgbImage toRgb(String format, BufferedImage image) throws RejectedInputException {
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    int width = image.getWidth();
    int height = image.getHeight();
    if (cm instanceof IndexColorModel palette) {
      return fromPalette(raster, palette, width, height);
    }
    if (!(cm instanceof ComponentColorModel)) {
      throw reject(
          "unsupported "
              + format
              + " colour model "
              + cm.getClass().getSimpleName()
              + "; expected RGB, grayscale or palette");
    }
    int[] sourceBands;
    int csType = cm.getColorSpace().getType();
    if (csType == ColorSpace.TYPE_RGB && cm.getNumColorComponents() == 3) {
      sourceBands = new int[] {0, 1, 2};
    } else if (csType == ColorSpace.TYPE_GRAY && cm.getNumColorComponents() == 1) {
      sourceBands = new int[] {0, 0, 0};
    } else {
      throw reject(
          "unsupported "
              + format
              + " colour space with "
              + cm.getNumColorComponents()
              + " components (e.g. CMYK or YCCK); expected RGB or grayscale");
    }
    // An alpha band, if any, comes after the colour bands and is simply not read.
    if (raster.getDataBuffer() instanceof DataBufferByte bytes
        && raster.getSampleModel() instanceof ComponentSampleModel layout
        && raster.getMinX() == 0
        && raster.getMinY() == 0
        && raster.getSampleModelTranslateX() == 0
        && raster.getSampleModelTranslateY() == 0) {
      return fromByteRaster(bytes, layout, sourceBands, width, height);
    }
    return fromSamples(raster, sourceBands, cm.getComponentSize(0), width, height);
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

  /** Any other component layout (16-bit PNG, gray+alpha, ...): bulk sample reads per band. */
  private static RgbImage fromSamples(
      Raster raster, int[] sourceBands, int bits, int width, int height) {
    int plane = width * height;
    byte[] out = new byte[3 * plane];
    int[] samples = new int[plane];
    int maxValue = (1 << bits) - 1;
    for (int c = 0; c < 3; c++) {
      if (c > 0 && sourceBands[c] == sourceBands[c - 1]) {
        System.arraycopy(out, (c - 1) * plane, out, c * plane, plane);
        continue;
      }
      raster.getSamples(raster.getMinX(), raster.getMinY(), width, height, sourceBands[c], samples);
      int o = c * plane;
      for (int i = 0; i < plane; i++) {
        int v = samples[i];
        // 16-bit keeps the high byte like Pillow's "RGB;16B" unpacker; fewer bits are stretched.
        out[o + i] = (byte) (bits >= 8 ? v >> (bits - 8) : v * 255 / maxValue);
      }
    }
    return new RgbImage(width, height, out);
  }

  private static RgbImage fromPalette(
      Raster raster, IndexColorModel palette, int width, int height) {
    int plane = width * height;
    // 256 entries so that an index past a short palette reads black instead of failing.
    byte[] reds = new byte[256];
    byte[] greens = new byte[256];
    byte[] blues = new byte[256];
    palette.getReds(reds);
    palette.getGreens(greens);
    palette.getBlues(blues);
    int[] indices =
        raster.getSamples(raster.getMinX(), raster.getMinY(), width, height, 0, new int[plane]);
    byte[] out = new byte[3 * plane];
    for (int i = 0; i < plane; i++) {
      int index = indices[i] & 0xFF;
      out[i] = reds[index];
      out[plane + i] = greens[index];
      out[2 * plane + i] = blues[index];
    }
    return new RgbImage(width, height, out);
  }

  private static RejectedInputException reject(String reason) {
    return new RejectedInputException(STAGE, reason);
  }

  private static RejectedInputException reject(String reason, Throwable cause) {
    return new RejectedInputException(STAGE, reason, cause);
  }
}
