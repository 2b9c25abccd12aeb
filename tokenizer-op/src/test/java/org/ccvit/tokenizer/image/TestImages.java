/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

import java.util.zip.CRC32;

/** Synthetic images and checksums used by the image tests. */
public final class TestImages {
  private TestImages() {}

  /**
   * A busy deterministic image; the Pillow reference values in the tests were computed on the same
   * formula: value(c, y, x) = (37x + 91y + 53c + 29 * ((x * y) mod 7)) mod 256.
   */
  public static RgbImage synthetic(int width, int height) {
    byte[] chw = new byte[3 * width * height];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          chw[(c * height + y) * width + x] =
              (byte) ((x * 37 + y * 91 + c * 53 + ((x * y) % 7) * 29) % 256);
        }
      }
    }
    return new RgbImage(width, height, chw);
  }

  /** CRC-32 of the planar bytes (as Python's zlib.crc32 of the channel planes, R then G then B). */
  public static long crc(RgbImage img) {
    CRC32 crc = new CRC32();
    crc.update(img.chw());
    return crc.getValue();
  }
}
