/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.ccvit.tokenizer.RejectedInputException;
import org.ccvit.tokenizer.SharedData;
import org.junit.jupiter.api.Test;

class ImageShrinkerTest {

  private final ImageShrinker shrinker = new ImageShrinker(ImageLimits.defaults());
  private final ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults());

  @Test
  void downscalesAPhotoUntilItFitsKeepingTheAspectRatio() throws Exception {
    byte[] photo =
        Files.readAllBytes(SharedData.dataset("photos/images/life_by_Aitzol_Berasategi.jpg"));
    RgbImage original = decoder.decode(photo);
    int budget = photo.length / 5;

    ImageShrinker.Shrunk shrunk = shrinker.shrink(photo, budget);

    assertTrue(shrunk.jpeg().length <= budget, shrunk.jpeg().length + " > " + budget);
    RgbImage small = decoder.decode(shrunk.jpeg());
    assertEquals(shrunk.width(), small.width());
    assertEquals(shrunk.height(), small.height());
    assertEquals(original.width(), shrunk.fromWidth());
    assertTrue(small.width() < original.width());
    double ratio = original.width() / (double) original.height();
    assertEquals(ratio, small.width() / (double) small.height(), 2.0 / small.height());
    // Not needlessly small: a quarter of the pixels would already have fitted the budget.
    assertTrue(small.width() * 3 > original.width(), small.width() + "px wide");
  }

  @Test
  void refusesWhatCannotFitOrIsNoImage() throws Exception {
    byte[] cutPng = Arrays.copyOf(pngOf(TestImages.synthetic(30, 20)), 40);
    assertEquals(
        "decode",
        assertThrows(RejectedInputException.class, () -> shrinker.shrink(cutPng, 10_000)).stage());
    byte[] png = pngOf(TestImages.synthetic(300, 200));
    // Even a 1x1 JPEG needs a few hundred bytes of headers.
    RejectedInputException tooSmall =
        assertThrows(RejectedInputException.class, () -> shrinker.shrink(png, 100));
    assertEquals("ingest", tooSmall.stage());
    assertTrue(tooSmall.reason().contains("300x200"), tooSmall.reason());
    assertTrue(tooSmall.reason().contains("at most 100 bytes"), tooSmall.reason());
  }

  private static byte[] pngOf(RgbImage image) throws IOException {
    BufferedImage out =
        new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < image.height(); y++) {
      for (int x = 0; x < image.width(); x++) {
        out.getRaster()
            .setPixel(x, y, new int[] {image.get(0, y, x), image.get(1, y, x), image.get(2, y, x)});
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(out, "png", bytes);
    return bytes.toByteArray();
  }
}
