/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.ccvit.tokenizer.RejectedInputException;

/**
 * Decodes encoded images to an {@link RgbImage} as PIL's {@code Image.open(...).convert("RGB")}
 * sees them: JPEG (baseline, progressive, arithmetic-coded, grayscale, CMYK and YCCK), PNG (every
 * bit depth and colour type, interlaced or not), GIF (the first frame), BMP, TIFF and WebP,
 * recognised from their bytes ({@link ImageFormat}) and turned into RGB as Pillow does ({@link
 * PillowRgb}).
 *
 * <p>Everything the decoder cannot use is a {@link RejectedInputException} with stage "decode":
 * empty or unknown bytes, images larger than the {@link ImageLimits} (checked from the header,
 * before any pixel is decoded, whichever reader decodes), truncated or corrupt data. Thread-safe:
 * each call uses its own reader.
 */
public final class ImageDecoder {
  static final String STAGE = "decode";

  private final ImageLimits limits;

  public ImageDecoder(ImageLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  public RgbImage decode(byte[] encoded) throws RejectedInputException {
    if (encoded == null || encoded.length == 0) {
      throw reject("empty input: expected the bytes of a " + ImageFormat.names() + " image");
    }
    if (encoded.length > limits.maxEncodedBytes()) {
      throw reject(
          "encoded image has "
              + encoded.length
              + " bytes, more than the limit of "
              + limits.maxEncodedBytes());
    }
    ImageFormat format =
        ImageFormat.sniff(encoded)
            .orElseThrow(
                () ->
                    reject(
                        "not a "
                            + ImageFormat.names()
                            + " image (first bytes "
                            + ImageFormat.head(encoded)
                            + ")"));
    checkComplete(format, encoded);
    byte[] decodable = IccProfiles.strip(format, encoded);
    ImageReader reader = format.newReader();
    List<String> warnings = new ArrayList<>();
    reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
    try (ImageInputStream in =
        new MemoryCacheImageInputStream(new ByteArrayInputStream(decodable))) {
      // Only the GIF frame's placement comes from metadata.
      reader.setInput(in, true, format != ImageFormat.GIF);
      GifCanvas gif = null;
      try {
        if (format == ImageFormat.GIF) {
          gif = GifCanvas.of(reader);
          checkDimensions(format, gif.width(), gif.height());
        } else {
          checkDimensions(format, reader.getWidth(0), reader.getHeight(0));
        }
      } catch (IOException | RuntimeException e) {
        throw reject("unreadable " + format.label() + " header: " + describe(e), e);
      }
      BufferedImage image;
      try {
        image = reader.read(0);
      } catch (IOException | RuntimeException e) {
        throw reject("corrupt or truncated " + format.label() + " data: " + describe(e), e);
      }
      // ImageIO returns whatever it decoded from a cut-off JPEG and only warns.
      for (String warning : warnings) {
        if (isTruncationWarning(warning)) {
          throw reject("truncated " + format.label() + " data (" + warning + ")");
        }
      }
      if (gif != null) {
        return gif.place(image);
      }
      return PillowRgb.convert(format, image, hasAlphaChannel(format, encoded, image));
    } catch (IOException e) {
      throw reject("cannot read " + format.label() + " bytes: " + describe(e), e);
    } finally {
      reader.dispose();
    }
  }

  /**
   * Rejects, before a reader sees them, data known to be cut off (ImageIO's PNG reader checks
   * neither CRCs nor the end of the stream, TwelveMonkeys' WebP decoder reads missing bytes as
   * zeros).
   */
  private static void checkComplete(ImageFormat format, byte[] b) throws RejectedInputException {
    if (format == ImageFormat.PNG && !containsIend(b)) {
      throw reject("truncated png data: no IEND chunk, the file is cut off");
    }
    if (format == ImageFormat.WEBP) {
      long declared = WebpChunks.declaredLength(b);
      if (b.length < declared) {
        throw reject(
            "truncated webp data: the RIFF header declares "
                + declared
                + " bytes, the input has "
                + b.length);
      }
    }
  }

  /**
   * Whether the pixels carry alpha of their own. The JDK turns a gray PNG's tRNS chunk into an
   * alpha band, but Pillow opens such a file as plain gray, so the PNG header's colour type
   * decides.
   */
  private static boolean hasAlphaChannel(ImageFormat format, byte[] b, BufferedImage image) {
    return format == ImageFormat.PNG ? (b[25] & 4) != 0 : image.getColorModel().hasAlpha();
  }

  private static boolean containsIend(byte[] b) {
    for (int i = b.length - 4; i >= 8; i--) {
      if (b[i] == 'I' && b[i + 1] == 'E' && b[i + 2] == 'N' && b[i + 3] == 'D') {
        return true;
      }
    }
    return false;
  }

  private void checkDimensions(ImageFormat format, int width, int height)
      throws RejectedInputException {
    String declares = format.label() + " header declares " + width + "x" + height;
    if (width <= 0 || height <= 0) {
      throw reject(declares + ", an empty image");
    }
    if (width > limits.maxSide() || height > limits.maxSide()) {
      throw reject(declares + ", a side longer than the limit of " + limits.maxSide());
    }
    if ((long) width * height > limits.maxPixels()) {
      throw reject(
          declares
              + " = "
              + (long) width * height
              + " pixels, more than the limit of "
              + limits.maxPixels());
    }
  }

  /** libjpeg's "Premature end of JPEG file" and the JDK's "Missing EOI marker". */
  private static boolean isTruncationWarning(String warning) {
    String w = warning.toLowerCase(Locale.ROOT);
    return w.contains("premature end") || w.contains("eoi") || w.contains("truncated");
  }

  /** The exception's message, or its class when it has none (e.g. an EOFException). */
  private static String describe(Exception e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  static RejectedInputException reject(String reason) {
    return new RejectedInputException(STAGE, reason);
  }

  private static RejectedInputException reject(String reason, Throwable cause) {
    return new RejectedInputException(STAGE, reason, cause);
  }
}
