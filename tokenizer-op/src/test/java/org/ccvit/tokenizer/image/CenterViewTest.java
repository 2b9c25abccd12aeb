/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class CenterViewTest {

  // Reference: Pillow 9.4 on synthetic images with torchvision's semantics written out:
  // short side -> round(s * 8 / 7), long side int(short * long / short), Image.BICUBIC, then
  // crop at int(round((H - s) / 2.0)), int(round((W - s) / 2.0)); zlib.crc32 of the R, G, B planes.
  @Test
  void matchesPillowResizeAndCenterCrop() {
    assertEquals(2900490721L, TestImages.crc(CenterView.of(TestImages.synthetic(300, 200), 32)));
    assertEquals(2498955036L, TestImages.crc(CenterView.of(TestImages.synthetic(61, 97), 24)));
  }

  @Test
  void imageOfTheViewSizeIsReturnedAsIs() {
    RgbImage img = TestImages.synthetic(224, 224);
    assertSame(img, CenterView.of(img, 224));
  }

  @Test
  void anyShapeGivesASquareView() {
    for (int[] size : new int[][] {{1, 1}, {1000, 3}, {3, 1000}, {256, 256}, {224, 300}}) {
      RgbImage view = CenterView.of(TestImages.synthetic(size[0], size[1]), 224);
      assertEquals(224, view.width());
      assertEquals(224, view.height());
    }
  }
}
