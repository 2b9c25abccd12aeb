/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

import com.twelvemonkeys.imageio.plugins.tiff.TIFFImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;

/**
 * The encoded formats the decoder reads, recognised from their leading bytes (never from a file
 * name), and the ImageIO reader each one uses. JPEG, PNG, GIF and BMP use the JDK's readers (its
 * JPEG reader is libjpeg 6b with the same integer IDCT and upsampling as Pillow's libjpeg-turbo,
 * and also reads progressive, arithmetic-coded, CMYK and YCCK JPEGs); TIFF and WebP use
 * TwelveMonkeys' pure-Java readers, created directly so that they work whatever class loader
 * initialised ImageIO's registry (as in a Flink task).
 */
public enum ImageFormat {
  JPEG("jpeg"),
  PNG("png"),
  GIF("gif"),
  BMP("bmp"),
  TIFF("tiff"),
  WEBP("webp");

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  private final String label;

  ImageFormat(String label) {
    this.label = label;
  }

  /** Lower-case name used in reasons and records, e.g. "jpeg". */
  public String label() {
    return label;
  }

  /** The format whose signature starts {@code b}, if any. */
  public static Optional<ImageFormat> sniff(byte[] b) {
    if (startsWith(b, 0, 0xFF, 0xD8, 0xFF)) {
      return Optional.of(JPEG);
    }
    if (startsWith(b, 0, PNG_SIGNATURE)) {
      return Optional.of(PNG);
    }
    if (startsWith(b, 0, 'G', 'I', 'F', '8')
        && (startsWith(b, 4, '7', 'a') || startsWith(b, 4, '9', 'a'))) {
      return Optional.of(GIF);
    }
    if (startsWith(b, 0, 'B', 'M') && b.length >= 26) {
      return Optional.of(BMP);
    }
    // Classic TIFF ("II*\0", "MM\0*") and BigTIFF ("II+\0", "MM\0+").
    if (startsWith(b, 0, 'I', 'I', '*', 0)
        || startsWith(b, 0, 'M', 'M', 0, '*')
        || startsWith(b, 0, 'I', 'I', '+', 0)
        || startsWith(b, 0, 'M', 'M', 0, '+')) {
      return Optional.of(TIFF);
    }
    if (startsWith(b, 0, 'R', 'I', 'F', 'F') && startsWith(b, 8, 'W', 'E', 'B', 'P')) {
      return Optional.of(WEBP);
    }
    return Optional.empty();
  }

  /** "JPEG, PNG, GIF, BMP, TIFF or WebP", for reasons. */
  public static String names() {
    String all =
        Arrays.stream(values()).map(ImageFormat::displayName).collect(Collectors.joining(", "));
    int last = all.lastIndexOf(", ");
    return all.substring(0, last) + " or " + all.substring(last + 2);
  }

  private String displayName() {
    return this == WEBP ? "WebP" : name();
  }

  /** A new reader for this format; each decode uses its own, so decoding is thread-safe. */
  ImageReader newReader() {
    try {
      return switch (this) {
        case TIFF -> new TIFFImageReaderSpi().createReaderInstance();
        case WEBP -> new WebPImageReaderSpi().createReaderInstance();
        default -> jdkReader();
      };
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the " + label + " reader", e);
    }
  }

  /** The JDK's own reader, even when other plugins for the format are registered. */
  private ImageReader jdkReader() throws IOException {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(label);
    while (readers.hasNext()) {
      ImageReader reader = readers.next();
      ImageReaderSpi spi = reader.getOriginatingProvider();
      if (spi != null && spi.getClass().getName().startsWith("com.sun.imageio.plugins.")) {
        return reader;
      }
      reader.dispose();
    }
    throw new IllegalStateException("this JDK has no ImageIO reader for " + label);
  }

  /** First bytes as hex, for the reason of an unrecognised input. */
  static String head(byte[] b) {
    StringBuilder head = new StringBuilder();
    for (int i = 0; i < Math.min(8, b.length); i++) {
      head.append(String.format(Locale.ROOT, "%02x", b[i] & 0xFF));
    }
    return head.toString();
  }

  static boolean startsWith(byte[] b, int offset, byte[] prefix) {
    if (b.length < offset + prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[offset + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean startsWith(byte[] b, int offset, int... prefix) {
    byte[] bytes = new byte[prefix.length];
    for (int i = 0; i < prefix.length; i++) {
      bytes[i] = (byte) prefix[i];
    }
    return startsWith(b, offset, bytes);
  }
}
