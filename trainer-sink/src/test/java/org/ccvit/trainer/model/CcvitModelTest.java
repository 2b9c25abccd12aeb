/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class CcvitModelTest {
  private static final CcvitConfig TINY = CcvitConfig.tiny(32, 4, 16);
  private static final int BATCH = 2;

  /**
   * The last blocks compute only the rows of the loss positions (and CLS), padded to the same count
   * per image: with a different number of positions in each image, the outputs equal the same rows
   * of a forward pass over every position.
   */
  @Test
  void outputsAtSomePositionsEqualThoseRowsOfAllPositions() {
    int n = TINY.numPatches();
    try (NDManager manager = NDManager.newBaseManager()) {
      ParameterStore store = CcvitModel.newParameters(TINY, manager);
      Initializer.initialize(store, TINY, 7);
      CcvitModel model = new CcvitModel(TINY, store);
      SplittableRandom random = new SplittableRandom(11);
      float[] pixels = new float[BATCH * 3 * TINY.imgSize() * TINY.imgSize()];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (float) random.nextGaussian();
      }
      float[] masked = new float[BATCH * n];
      for (int i = 0; i < masked.length; i++) {
        masked[i] = random.nextInt(3) == 0 ? 1 : 0;
      }
      NDArray images = manager.create(pixels, new Shape(BATCH, 3, TINY.imgSize(), TINY.imgSize()));
      NDArray mask = manager.create(masked, new Shape(BATCH, n));

      long[] all = LongStream.range(0, (long) BATCH * n).toArray();
      // Image 0: three positions, image 1: seven, not in order within an image.
      long[] some = {5, 2, 40, n + 9, n + 1, n + 30, n + 63, n + 12, n + 48, n + 20};
      ModelOutput full = model.forward(images, mask, manager.create(all));
      ModelOutput part = model.forward(images, mask, manager.create(some));

      NDArray index = manager.create(some);
      assertArrayEquals(
          full.tokenLogits().get(new NDIndex("{}", index)).toFloatArray(),
          part.tokenLogits().toFloatArray(),
          1e-5f);
      assertArrayEquals(
          full.pixelPredictions().get(new NDIndex("{}", index)).toFloatArray(),
          part.pixelPredictions().toFloatArray(),
          1e-5f);
    }
  }
}
