/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.schemas.TokenIds;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.junit.jupiter.api.Test;

class SampleMakerTest {

  private static final TokenizerConfig CONFIG = TokenizerConfig.forSize(32, 8, 3);

  @Test
  void reportsEveryStageOncePerSampleAndTheTimerChangesNothing() throws Exception {
    List<PipelineStage> seen = new ArrayList<>();
    ImageRecord image = record("a", png(40, 30));
    TrainingSample timed =
        new SampleMaker(
                CONFIG,
                codebook(),
                (stage, nanos) -> {
                  assertTrue(nanos >= 0);
                  seen.add(stage);
                })
            .make(image, 2);
    assertEquals(
        List.of(
            PipelineStage.DECODE,
            PipelineStage.AUGMENT,
            PipelineStage.TOKENIZE,
            PipelineStage.MASK),
        seen);
    TrainingSample plain = new SampleMaker(CONFIG, codebook()).make(image, 2);
    assertEquals(plain.getTokenIds(), timed.getTokenIds());
    assertEquals(plain.getMaskedPositions(), timed.getMaskedPositions());
    assertArrayEquals(plain.getPixels().array(), timed.getPixels().array());
  }

  @Test
  void rejectsImagesWithASideShorterThanAPatch() throws Exception {
    SampleMaker maker = new SampleMaker(CONFIG, codebook());
    for (int[] size : new int[][] {{1, 1}, {7, 40}, {40, 7}}) {
      RejectedInputException e =
          assertThrows(
              RejectedInputException.class,
              () -> maker.make(record("small", png(size[0], size[1])), 0));
      assertEquals("decode", e.stage());
      assertTrue(e.reason().contains(size[0] + "x" + size[1]), e.reason());
      assertTrue(e.reason().contains("smaller than one 8x8 patch"), e.reason());
    }
    assertEquals(16, TokenIds.unpack(maker.make(record("ok", png(8, 8)), 0).getTokenIds()).length);
  }

  private static Codebook codebook() {
    float[] centroids = new float[10 * 3 * 8 * 8];
    SplittableRandom rng = new SplittableRandom(1);
    for (int i = 0; i < centroids.length; i++) {
      centroids[i] = (float) rng.nextDouble();
    }
    return new Codebook("test", 10, 8, 3, centroids);
  }

  private static ImageRecord record(String key, byte[] bytes) {
    return ImageRecord.newBuilder()
        .setKey(key)
        .setImage(ByteBuffer.wrap(bytes))
        .setFormat("png")
        .setSource("test")
        .build();
  }

  private static byte[] png(int width, int height) throws Exception {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.getRaster().setPixel(x, y, new int[] {x * 6 % 256, y * 8 % 256, (x + y) % 256});
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }
}
