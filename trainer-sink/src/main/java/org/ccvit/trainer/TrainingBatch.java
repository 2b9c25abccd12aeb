/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import java.nio.ByteBuffer;
import java.util.List;
import org.ccvit.schemas.TokenIds;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.patch.Patches;
import org.ccvit.trainer.model.CcvitConfig;
import org.ccvit.trainer.model.CcvitLoss;

/**
 * The model's inputs and targets for a batch, built as the original training loop does: pixels
 * /255, replaced patches overwritten by their own token's centroid, ImageNet normalization; loss
 * positions = masked + replaced in row-major (image, patch) order; pixel targets from the
 * un-replaced [0,1] patches, normalized per patch.
 *
 * @param batchSize images
 * @param input normalized images, [B, C, H, W]
 * @param masked 1 where the patch embedding becomes the mask token, [B, N]
 * @param lossPositions flat positions b*N + p, ascending
 * @param labels token id at each loss position
 * @param replaced whether each loss position is a replaced (not masked) patch
 * @param targets normalized pixels at each loss position, [M, C*P*P]
 */
public record TrainingBatch(
    int batchSize,
    float[] input,
    float[] masked,
    long[] lossPositions,
    long[] labels,
    boolean[] replaced,
    float[] targets) {

  /** ImageNet statistics the original hard-codes, as float32. */
  public static final float[] MEAN = {0.485f, 0.456f, 0.406f};

  public static final float[] STD = {0.229f, 0.224f, 0.225f};

  /** Samples must already have passed {@link Trainer#rejectionReason}. */
  static TrainingBatch build(List<TrainingSample> samples, CcvitConfig c, Codebook codebook) {
    int b = samples.size();
    int n = c.numPatches();
    int dim = c.patchDim();
    int side = c.imgSize();
    int imageSize = c.inChans() * side * side;
    float[] input = new float[b * imageSize];
    float[] masked = new float[b * n];
    int m =
        samples.stream()
            .mapToInt(s -> s.getMaskedPositions().size() + s.getReplacedPositions().size())
            .sum();
    long[] positions = new long[m];
    long[] labels = new long[m];
    boolean[] replaced = new boolean[m];
    float[] targets = new float[m * dim];
    float[] image = new float[imageSize];
    int row = 0;
    for (int i = 0; i < b; i++) {
      TrainingSample s = samples.get(i);
      float[] patches =
          Patches.fromChwBytes(bytes(s.getPixels()), c.inChans(), side, side, c.patchSize());
      int[] ids = TokenIds.unpack(s.getTokenIds());
      boolean[] isMasked = new boolean[n];
      boolean[] isReplaced = new boolean[n];
      s.getMaskedPositions().forEach(p -> isMasked[p] = true);
      s.getReplacedPositions().forEach(p -> isReplaced[p] = true);
      for (int p = 0; p < n; p++) {
        if (!isMasked[p] && !isReplaced[p]) {
          continue;
        }
        positions[row] = (long) i * n + p;
        labels[row] = ids[p];
        replaced[row] = isReplaced[p];
        System.arraycopy(patches, p * dim, targets, row * dim, dim);
        CcvitLoss.normalizePatch(targets, row * dim, dim);
        row++;
      }
      for (int p = 0; p < n; p++) {
        masked[i * n + p] = isMasked[p] ? 1f : 0f;
        if (isReplaced[p]) {
          codebook.copyCentroid(ids[p], patches, p * dim);
        }
      }
      Patches.toChw(patches, c.inChans(), side, side, c.patchSize(), image);
      int plane = side * side;
      for (int k = 0; k < imageSize; k++) {
        int ch = k / plane;
        input[i * imageSize + k] = (image[k] - MEAN[ch]) / STD[ch];
      }
    }
    return new TrainingBatch(b, input, masked, positions, labels, replaced, targets);
  }

  static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer view = buffer.duplicate();
    byte[] out = new byte[view.remaining()];
    view.get(out);
    return out;
  }

  /** Whether each loss position is a masked one. */
  boolean[] maskedAtLoss() {
    boolean[] out = new boolean[replaced.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = !replaced[i];
    }
    return out;
  }
}
