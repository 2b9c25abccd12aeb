/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.ccvit.schemas.TokenIds;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.trainer.model.CcvitConfig;

/** A tiny model configuration with seeded random codebooks and samples that fit it. */
public final class TinySamples {
  public static final CcvitConfig TINY = CcvitConfig.tiny(32, 4, 16);
  private static final int MASKED = 16;
  private static final int REPLACED = 4;

  private TinySamples() {}

  public static Codebook randomCodebook(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] centroids = new float[TINY.vocabSize() * TINY.patchDim()];
    for (int i = 0; i < centroids.length; i++) {
      centroids[i] = (float) random.nextDouble();
    }
    return new Codebook(
        "random-" + seed, TINY.vocabSize(), TINY.patchSize(), TINY.inChans(), centroids);
  }

  /**
   * Images made of noisy centroids, so each patch's token is the centroid it was drawn from, with a
   * seeded choice of masked and replaced positions.
   */
  public static List<TrainingSample> samples(
      Codebook codebook, int count, long seed, String version) {
    SplittableRandom random = new SplittableRandom(seed);
    int n = TINY.numPatches();
    int dim = TINY.patchDim();
    int side = TINY.imgSize();
    int p = TINY.patchSize();
    List<TrainingSample> out = new ArrayList<>();
    for (int s = 0; s < count; s++) {
      byte[] pixels = new byte[3 * side * side];
      List<Integer> ids = new ArrayList<>();
      for (int patch = 0; patch < n; patch++) {
        int id = random.nextInt(codebook.k());
        ids.add(id);
        int gy = patch / (side / p);
        int gx = patch % (side / p);
        for (int k = 0; k < dim; k++) {
          int c = k / (p * p);
          int y = k / p % p;
          int x = k % p;
          double v = codebook.centroids()[id * dim + k] + 0.02 * (random.nextDouble() - 0.5);
          pixels[(c * side + gy * p + y) * side + gx * p + x] =
              (byte) Math.round(255 * Math.min(1, Math.max(0, v)));
        }
      }
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        order.add(i);
      }
      Collections.shuffle(order, new java.util.Random(random.nextLong()));
      out.add(
          TrainingSample.newBuilder()
              .setKey("synthetic/" + s)
              .setEpoch(0)
              .setCodebookVersion(version)
              .setImageSize(side)
              .setChannels(3)
              .setPixels(ByteBuffer.wrap(pixels))
              .setTokenIds(TokenIds.pack(ids.stream().mapToInt(Integer::intValue).toArray()))
              .setMaskedPositions(new ArrayList<>(order.subList(0, MASKED)))
              .setReplacedPositions(new ArrayList<>(order.subList(MASKED, MASKED + REPLACED)))
              .build());
    }
    return out;
  }
}
