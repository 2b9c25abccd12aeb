/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.ccvit.tokenizer.RejectedInputException;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every committed image of {@code pillow-formats/} (JPEG, PNG, GIF, BMP, TIFF, WebP in their
 * variants; see its README) decodes to exactly the pixels Pillow 9.4's {@code convert("RGB")}
 * gives, as recorded by Pillow in {@code expected.tsv}. Lossy WebP, whose decoders differ in
 * rounding and chroma upsampling, is compared pixel by pixel with Pillow's decoding of it (a PNG
 * Pillow wrote) within {@value #LOSSY_MEAN_LEVELS} levels on average and {@value #LOSSY_MAX_LEVELS}
 * at most; TwelveMonkeys 3.14.0 drifted 2.2 levels on average on the 320x200 photo (its issue 734),
 * 3.15.0 is within 1.0.
 */
class PillowFormatsTest {
  private static final double LOSSY_MEAN_LEVELS = 1.6;
  private static final int LOSSY_MAX_LEVELS = 24;

  private static final Path DIR = resourceDir();

  private final ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults());

  /** One row of expected.tsv. */
  private record Expected(String file, int width, int height, String mode, long crc, long sum) {
    static Expected parse(String line) {
      String[] f = line.split("\t");
      return new Expected(
          f[0],
          Integer.parseInt(f[1]),
          Integer.parseInt(f[2]),
          f[3],
          Long.parseLong(f[4]),
          Long.parseLong(f[5]));
    }

    boolean lossyWebp() {
      return file.startsWith("webp_lossy");
    }

    boolean multiFrame() {
      return file.equals("gif_animated.gif") || file.equals("tiff_multipage.tif");
    }
  }

  private static List<Expected> expected() throws IOException {
    List<String> lines = Files.readAllLines(DIR.resolve("expected.tsv"));
    return lines.subList(1, lines.size()).stream().map(Expected::parse).toList();
  }

  @TestFactory
  Stream<DynamicTest> decodesLikePillowConvertRgb() throws IOException {
    return expected().stream()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.file() + " (Pillow mode " + e.mode() + ")", () -> check(e)));
  }

  private void check(Expected e) throws Exception {
    byte[] encoded = Files.readAllBytes(DIR.resolve(e.file()));
    RgbImage image = decoder.decode(encoded);
    assertEquals(e.width(), image.width(), "width");
    assertEquals(e.height(), image.height(), "height");
    if (e.lossyWebp()) {
      String reference = "png_pillow_decoded_" + e.file().replace(".webp", ".png");
      byte[] pillow = decoder.decode(Files.readAllBytes(DIR.resolve(reference))).chw();
      long total = 0;
      int max = 0;
      for (int i = 0; i < pillow.length; i++) {
        int d = Math.abs((image.chw()[i] & 0xFF) - (pillow[i] & 0xFF));
        total += d;
        max = Math.max(max, d);
      }
      double mean = (double) total / pillow.length;
      assertTrue(
          mean <= LOSSY_MEAN_LEVELS && max <= LOSSY_MAX_LEVELS,
          e.file() + " differs from Pillow by " + mean + " levels on average, " + max + " at most");
      return;
    }
    long sum = 0;
    for (byte v : image.chw()) {
      sum += v & 0xFF;
    }
    assertEquals(e.sum(), sum, "sum of the RGB planes");
    assertEquals(e.crc(), TestImages.crc(image), "CRC-32 of the RGB planes");
  }

  @Test
  void everyCommittedImageHasAnExpectation() throws IOException {
    Set<String> listed =
        expected().stream().map(Expected::file).collect(Collectors.toCollection(TreeSet::new));
    Set<String> present;
    try (Stream<Path> files = Files.list(DIR)) {
      present =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> !n.endsWith(".py") && !n.endsWith(".md") && !n.endsWith(".tsv"))
              .collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(present, listed);
    Set<String> formats =
        listed.stream().map(n -> n.substring(0, n.indexOf('_'))).collect(Collectors.toSet());
    assertEquals(Set.of("jpeg", "png", "gif", "bmp", "tiff", "webp"), formats);
  }

  /** The size limits come from each reader's header (for GIF: the canvas), before any pixel. */
  @Test
  void everyFormatIsCheckedAgainstTheLimitsFromItsHeader() throws IOException {
    ImageDecoder small = new ImageDecoder(new ImageLimits(1 << 20, 40, 1_000_000));
    for (Expected e : expected()) {
      byte[] encoded = Files.readAllBytes(DIR.resolve(e.file()));
      RejectedInputException r =
          assertThrows(RejectedInputException.class, () -> small.decode(encoded), e.file());
      assertTrue(
          r.reason().contains("header declares " + e.width() + "x" + e.height())
              && r.reason().contains("limit of 40"),
          e.file() + ": " + r.reason());
    }
  }

  /**
   * Cut anywhere in the image that is decoded, every format is rejected, never decoded from what is
   * left. (Pillow agrees on all these cuts; it is more lenient only with a PNG that loses just its
   * IEND chunk, which is rejected here.)
   */
  @Test
  void truncatedFilesOfEveryFormatAreRejected() throws IOException {
    for (Expected e : expected()) {
      byte[] encoded = Files.readAllBytes(DIR.resolve(e.file()));
      // Two-frame files: cut inside the first frame, the one that is decoded.
      double[] keeps = e.multiFrame() ? new double[] {0.4, 0.25} : new double[] {0.97, 0.8, 0.5};
      for (double keep : keeps) {
        byte[] cut = Arrays.copyOf(encoded, (int) (encoded.length * keep));
        RejectedInputException r =
            assertThrows(
                RejectedInputException.class,
                () -> decoder.decode(cut),
                e.file() + " cut to " + cut.length + " of " + encoded.length + " bytes");
        assertEquals("decode", r.stage());
      }
    }
  }

  /** As in Pillow, only the first frame matters: losing part of a later one changes nothing. */
  @Test
  void laterFramesMayBeCutOff() throws Exception {
    for (Expected e : expected()) {
      if (e.multiFrame()) {
        byte[] encoded = Files.readAllBytes(DIR.resolve(e.file()));
        RgbImage image = decoder.decode(Arrays.copyOf(encoded, (int) (encoded.length * 0.8)));
        assertEquals(e.crc(), TestImages.crc(image), e.file());
      }
    }
  }

  private static Path resourceDir() {
    try {
      return Path.of(PillowFormatsTest.class.getResource("/pillow-formats/expected.tsv").toURI())
          .getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
