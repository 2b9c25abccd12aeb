/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import ai.djl.ndarray.NDManager;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.ccvit.schemas.TokenIds;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.trainer.model.CcvitConfig;
import org.ccvit.trainer.model.GoldenCase;

/** A golden case's batch as the TrainingSamples the pipeline would send. */
final class GoldenSamples {
  private GoldenSamples() {}

  static Codebook codebook(GoldenCase golden) {
    CcvitConfig c = golden.config();
    return Codebook.readNpy(golden.dir().resolve("codebook.npy"), c.patchSize(), c.inChans());
  }

  static List<TrainingSample> samples(GoldenCase golden, NDManager manager, String version) {
    CcvitConfig c = golden.config();
    int n = c.numPatches();
    byte[] pixels = golden.array(manager, "images_u8").toByteArray();
    long[] ids = golden.array(manager, "token_ids").toLongArray();
    boolean[] masked = golden.array(manager, "bool_masked_pos").toBooleanArray();
    boolean[] replaced = golden.array(manager, "bool_replaced_only").toBooleanArray();
    int imageBytes = c.inChans() * c.imgSize() * c.imgSize();
    int b = pixels.length / imageBytes;
    List<TrainingSample> samples = new ArrayList<>();
    for (int i = 0; i < b; i++) {
      List<Integer> tokens = new ArrayList<>();
      List<Integer> maskedPositions = new ArrayList<>();
      List<Integer> replacedPositions = new ArrayList<>();
      for (int p = 0; p < n; p++) {
        tokens.add((int) ids[i * n + p]);
        if (masked[i * n + p]) {
          maskedPositions.add(p);
        }
        if (replaced[i * n + p]) {
          replacedPositions.add(p);
        }
      }
      samples.add(
          TrainingSample.newBuilder()
              .setKey(golden.name() + "/" + i)
              .setEpoch(0)
              .setCodebookVersion(version)
              .setImageSize(c.imgSize())
              .setChannels(c.inChans())
              .setPixels(ByteBuffer.wrap(pixels, i * imageBytes, imageBytes).slice())
              .setTokenIds(TokenIds.pack(tokens.stream().mapToInt(Integer::intValue).toArray()))
              .setMaskedPositions(maskedPositions)
              .setReplacedPositions(replacedPositions)
              .build());
    }
    return samples;
  }
}
