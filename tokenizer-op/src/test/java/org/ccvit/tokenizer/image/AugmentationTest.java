/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentationTest {
  private final Augmentation original = Augmentation.original(224);

  @Test
  void boxesStayInsideTheImageWithAreaAndRatioInRange() {
    SplittableRandom sizes = new SplittableRandom(1);
    for (int i = 0; i < 5000; i++) {
      int w = 1 + sizes.nextInt(1200);
      int h = 1 + sizes.nextInt(1200);
      CropBox box = original.sample(w, h, new SplittableRandom(i));
      assertTrue(box.left() + box.width() <= w && box.top() + box.height() <= h, box + " " + w);
      double inRatio = (double) w / h;
      if (inRatio >= 0.8 && inRatio <= 1.25 && w >= 50 && h >= 50) {
        // Rounding w and h to integers moves area and ratio by at most about one pixel per side.
        double area = (double) box.width() * box.height();
        double slack = box.width() + box.height() + 1.0;
        assertTrue(
            area >= 0.2 * w * h - slack && area <= (double) w * h, box + " in " + w + "x" + h);
        double ratio = (double) box.width() / box.height();
        assertTrue(
            ratio >= 0.75 * (1 - 1.0 / box.height()) - 1e-9
                && ratio <= 4.0 / 3.0 * (1 + 1.0 / box.height()) + 1e-9,
            box + " ratio " + ratio);
      }
    }
  }

  @Test
  void sameSeedGivesTheSameBoxAndSeedsDiffer() {
    Set<CropBox> boxes = new HashSet<>();
    for (int seed = 0; seed < 50; seed++) {
      CropBox box = original.sample(640, 480, new SplittableRandom(seed));
      assertEquals(box, original.sample(640, 480, new SplittableRandom(seed)));
      boxes.add(box);
    }
    assertTrue(boxes.size() > 45, "50 seeds gave only " + boxes.size() + " distinct boxes");
  }

  @Test
  void flipFollowsItsProbability() {
    int flips = 0;
    for (int seed = 0; seed < 4000; seed++) {
      flips += original.sample(100, 100, new SplittableRandom(seed)).flipped() ? 1 : 0;
    }
    assertTrue(flips > 1800 && flips < 2200, flips + " flips of 4000");
    Augmentation never = new Augmentation(32, 0.2, 1, 0.75, 4 / 3.0, 0);
    Augmentation always = new Augmentation(32, 0.2, 1, 0.75, 4 / 3.0, 1);
    for (int seed = 0; seed < 100; seed++) {
      assertTrue(!never.sample(50, 40, new SplittableRandom(seed)).flipped());
      assertTrue(always.sample(50, 40, new SplittableRandom(seed)).flipped());
    }
  }

  @Test
  void fixedScaleAndRatioGiveTheExpectedSize() {
    Augmentation whole = new Augmentation(16, 1, 1, 1, 1, 0);
    assertEquals(new CropBox(0, 0, 80, 80, false), whole.sample(80, 80, new SplittableRandom(3)));
    Augmentation quarter = new Augmentation(16, 0.25, 0.25, 1, 1, 0);
    for (int seed = 0; seed < 20; seed++) {
      CropBox box = quarter.sample(100, 100, new SplittableRandom(seed));
      assertEquals(50, box.width());
      assertEquals(50, box.height());
      assertTrue(box.left() <= 50 && box.top() <= 50);
    }
  }

  @Test
  void extremeAspectRatioFallsBackToAClampedCentreCrop() {
    // No 3/4..4/3 box with at least 20% of the area fits in 1000x10: torchvision's fallback.
    CropBox wide = original.sample(1000, 10, new SplittableRandom(5));
    assertEquals(10, wide.height());
    assertEquals(13, wide.width()); // round(10 * 4/3)
    assertEquals((1000 - 13) / 2, wide.left());
    CropBox tall = original.sample(10, 1000, new SplittableRandom(5));
    assertEquals(10, tall.width());
    assertEquals(13, tall.height()); // round(10 / (3/4))
    assertEquals((1000 - 13) / 2, tall.top());
  }

  // Reference: Pillow 9.4, synthetic(97, 61) [.transpose(FLIP_LEFT_RIGHT)]
  //   .crop((10, 5, 50, 38)).resize((24, 24), Image.BICUBIC), zlib.crc32 of the R, G, B planes.
  @Test
  void applyMatchesPillowFlipCropResize() {
    Augmentation aug = new Augmentation(24, 0.2, 1, 0.75, 4 / 3.0, 0.5);
    RgbImage img = TestImages.synthetic(97, 61);
    assertEquals(3738372739L, TestImages.crc(aug.apply(img, new CropBox(10, 5, 40, 33, false))));
    assertEquals(3071328186L, TestImages.crc(aug.apply(img, new CropBox(10, 5, 40, 33, true))));
  }

  @Test
  void applyWithRngIsApplyOfTheSampledBox() {
    RgbImage img = TestImages.synthetic(120, 90);
    Augmentation aug = Augmentation.original(32);
    CropBox box = aug.sample(120, 90, new SplittableRandom(42));
    assertArrayEquals(aug.apply(img, box).chw(), aug.apply(img, new SplittableRandom(42)).chw());
    assertNotEquals(
        TestImages.crc(aug.apply(img, new SplittableRandom(42))),
        TestImages.crc(aug.apply(img, new SplittableRandom(43))));
  }

  @Test
  void tinyImagesAreUpscaled() {
    for (int[] size : new int[][] {{1, 1}, {3, 2}, {15, 16}}) {
      RgbImage out =
          Augmentation.original(32)
              .apply(TestImages.synthetic(size[0], size[1]), new SplittableRandom(9));
      assertEquals(32, out.width());
      assertEquals(32, out.height());
    }
  }

  @Test
  void refusesBadSettingsAndBoxes() {
    assertThrows(IllegalArgumentException.class, () -> new Augmentation(0, 0.2, 1, 0.75, 1.3, 0));
    assertThrows(IllegalArgumentException.class, () -> new Augmentation(8, 0.5, 0.2, 0.75, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new Augmentation(8, 0.2, 1, 2, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new Augmentation(8, 0.2, 1, 0.75, 1, 1.5));
    RgbImage img = TestImages.synthetic(10, 10);
    assertThrows(
        IllegalArgumentException.class, () -> original.apply(img, new CropBox(5, 0, 6, 4, true)));
  }
}
