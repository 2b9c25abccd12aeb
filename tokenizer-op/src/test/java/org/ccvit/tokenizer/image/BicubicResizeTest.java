/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reference values: Pillow 9.4 (Debian python3-pil), {@code img.resize((w, h), Image.BICUBIC)} on
 * {@link TestImages#synthetic} built in Python with the same formula; arrays are the R, G, B planes
 * concatenated, checksums their zlib.crc32.
 */
class BicubicResizeTest {

  @Test
  void downscaleMatchesPillowExactly() {
    int[] pillow = {
      94, 131, 142, 106, 143, 100, 117, 141, 100, 133, 159, 99, 97, 132, 73, 112, 144, 124, 128,
      140, 121, 139, 133, 112, 171, 127, 105, 121, 124, 101, 136, 83, 103, 132, 73, 124, 119, 124,
      131, 117, 116, 150, 96, 130, 107, 149, 131, 109, 153, 127, 117, 113, 139, 114, 121, 165, 116,
      137, 157, 120
    };
    assertArrayEquals(pillow, unsigned(BicubicResize.resize(TestImages.synthetic(13, 11), 5, 4)));
  }

  @Test
  void upscaleMatchesPillowExactlyIncludingClamping() {
    int[] pillow = {
      0, 3, 25, 45, 67, 102, 121, 25, 43, 81, 115, 130, 94, 71, 86, 108, 152, 206, 216, 93, 18, 161,
      127, 75, 113, 162, 153, 144, 203, 132, 15, 41, 116, 193, 234, 43, 55, 77, 109, 139, 161, 173,
      76, 100, 137, 111, 84, 121, 144, 139, 171, 213, 115, 17, 59, 91, 214, 184, 131, 120, 108, 55,
      29, 255, 184, 68, 123, 176, 60, 0, 95, 114, 150, 172, 191, 213, 226, 150, 127, 91, 106, 140,
      178, 198, 212, 137, 14, 24, 78, 122, 144, 95, 86, 77, 126, 164, 112, 78, 10, 51, 128, 204,
      229, 112, 41
    };
    assertArrayEquals(pillow, unsigned(BicubicResize.resize(TestImages.synthetic(4, 3), 7, 5)));
  }

  @ParameterizedTest
  @CsvSource({
    "97, 61, 224, 224, 476292161",
    "97, 61, 31, 17, 1144420149",
    "300, 200, 7, 150, 640161000",
    "1, 1, 224, 224, 153987864",
    "64, 64, 63, 65, 2879862321",
    "224, 224, 16, 16, 2987622246",
    "50, 3, 50, 9, 2747864313"
  })
  void matchesPillowChecksums(int w, int h, int outW, int outH, long pillowCrc) {
    RgbImage out = BicubicResize.resize(TestImages.synthetic(w, h), outW, outH);
    assertEquals(outW, out.width());
    assertEquals(outH, out.height());
    assertEquals(pillowCrc, TestImages.crc(out));
  }

  @Test
  void sameSizeIsIdentity() {
    RgbImage img = TestImages.synthetic(9, 4);
    assertSame(img, BicubicResize.resize(img, 9, 4));
  }

  @Test
  void constantImageStaysConstant() {
    byte[] chw = new byte[3 * 37 * 23];
    Arrays.fill(chw, 0, 37 * 23, (byte) 17);
    Arrays.fill(chw, 37 * 23, 2 * 37 * 23, (byte) 200);
    Arrays.fill(chw, 2 * 37 * 23, chw.length, (byte) 255);
    for (int[] size : new int[][] {{5, 3}, {80, 41}, {37, 1}, {1, 23}}) {
      RgbImage out = BicubicResize.resize(new RgbImage(37, 23, chw), size[0], size[1]);
      for (int y = 0; y < size[1]; y++) {
        for (int x = 0; x < size[0]; x++) {
          assertEquals(17, out.get(0, y, x));
          assertEquals(200, out.get(1, y, x));
          assertEquals(255, out.get(2, y, x));
        }
      }
    }
  }

  @Test
  void commutesWithHorizontalFlip() {
    RgbImage img = TestImages.synthetic(31, 12);
    assertArrayEquals(
        BicubicResize.resize(img.flipHorizontal(), 13, 20).chw(),
        BicubicResize.resize(img, 13, 20).flipHorizontal().chw());
  }

  @Test
  void widthOnlyIsTheTransposeOfHeightOnly() {
    // Pillow's two passes are the same filter along either axis; the height-only case has a
    // Pillow checksum above ("50, 3, 50, 9"), so this pins the width-only path to it.
    for (int[] size : new int[][] {{3, 50, 9}, {61, 20, 224}, {224, 7, 100}}) {
      RgbImage img = TestImages.synthetic(size[0], size[1]);
      assertArrayEquals(
          BicubicResize.resize(img, size[2], size[1]).chw(),
          transpose(BicubicResize.resize(transpose(img), size[1], size[2])).chw());
    }
  }

  private static RgbImage transpose(RgbImage img) {
    int w = img.width();
    int h = img.height();
    byte[] out = new byte[3 * w * h];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          out[(c * w + x) * h + y] = img.chw()[(c * h + y) * w + x];
        }
      }
    }
    return new RgbImage(h, w, out);
  }

  @Test
  void cropCopiesTheBoxAndRefusesBoxesOutside() {
    RgbImage img = TestImages.synthetic(10, 8);
    RgbImage crop = BicubicResize.crop(img, 3, 2, 4, 5);
    assertEquals(4, crop.width());
    assertEquals(5, crop.height());
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 5; y++) {
        for (int x = 0; x < 4; x++) {
          assertEquals(img.get(c, y + 2, x + 3), crop.get(c, y, x));
        }
      }
    }
    assertThrows(IllegalArgumentException.class, () -> BicubicResize.crop(img, 7, 0, 4, 1));
    assertThrows(IllegalArgumentException.class, () -> BicubicResize.crop(img, 0, 0, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> BicubicResize.resize(img, 0, 5));
  }

  @Test
  void rgbImageValidatesAndFlips() {
    assertThrows(IllegalArgumentException.class, () -> new RgbImage(2, 2, new byte[11]));
    assertThrows(IllegalArgumentException.class, () -> new RgbImage(0, 2, new byte[0]));
    RgbImage img = new RgbImage(3, 1, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, (byte) 250});
    assertEquals(250, img.get(2, 0, 2));
    assertArrayEquals(new byte[] {3, 2, 1, 6, 5, 4, (byte) 250, 8, 7}, img.flipHorizontal().chw());
    assertThrows(IndexOutOfBoundsException.class, () -> img.get(3, 0, 0));
  }

  private static int[] unsigned(RgbImage img) {
    int[] out = new int[img.chw().length];
    for (int i = 0; i < out.length; i++) {
      out[i] = img.chw()[i] & 0xFF;
    }
    return out;
  }
}
