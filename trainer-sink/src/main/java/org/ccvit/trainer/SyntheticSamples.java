/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.ccvit.schemas.TokenIds;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.masking.BlockMaskGenerator;
import org.ccvit.tokenizer.masking.CorruptionPlan;
import org.ccvit.trainer.model.CcvitConfig;

/**
 * Seeded random samples of a model's shapes for timing the trainer: random pixels and token ids,
 * with real masking plans (the original block masking and replacement counts for the model's grid,
 * e.g. 75 + 20 of 196, 24 + 6 of 64), so every step does the work of a real one.
 */
public final class SyntheticSamples {
  private SyntheticSamples() {}

  /** K random centroids with values in [0, 1), as the model's patches. */
  public static Codebook codebook(CcvitConfig c, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] centroids = new float[c.vocabSize() * c.patchDim()];
    for (int i = 0; i < centroids.length; i++) {
      centroids[i] = (float) random.nextDouble();
    }
    return new Codebook("synthetic-" + seed, c.vocabSize(), c.patchSize(), c.inChans(), centroids);
  }

  /** {@code count} samples tokenized with {@code codebook}'s version. */
  public static List<TrainingSample> samples(
      CcvitConfig c, Codebook codebook, int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int grid = c.gridSize();
    BlockMaskGenerator masks = BlockMaskGenerator.original(grid);
    int replaced = CorruptionPlan.originalReplacedCount(grid);
    List<TrainingSample> out = new ArrayList<>(count);
    for (int s = 0; s < count; s++) {
      byte[] pixels = new byte[c.inChans() * c.imgSize() * c.imgSize()];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (byte) random.nextInt(256);
      }
      int[] ids = random.ints(c.numPatches(), 0, codebook.k()).toArray();
      CorruptionPlan plan = CorruptionPlan.draw(masks, replaced, random.split(), random.split());
      out.add(
          TrainingSample.newBuilder()
              .setKey("synthetic/" + seed + "/" + s)
              .setEpoch(0)
              .setCodebookVersion(codebook.version())
              .setImageSize(c.imgSize())
              .setChannels(c.inChans())
              .setPixels(ByteBuffer.wrap(pixels))
              .setTokenIds(TokenIds.pack(ids))
              .setMaskedPositions(boxed(plan.masked()))
              .setReplacedPositions(boxed(plan.replaced()))
              .build());
    }
    return out;
  }

  private static List<Integer> boxed(int[] values) {
    return new ArrayList<>(Arrays.stream(values).boxed().toList());
  }
}
