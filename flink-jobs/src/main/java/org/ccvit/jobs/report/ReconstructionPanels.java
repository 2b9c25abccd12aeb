/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.report;

import java.nio.ByteBuffer;
import java.util.List;
import org.ccvit.schemas.TokenIds;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.analysis.MaskedPatches;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.image.RgbImage;
import org.ccvit.tokenizer.patch.Patches;
import org.ccvit.trainer.SamplePrediction;

/**
 * The paper's Figs. 5 and 6 for one sample, as four patch arrays ([N, C*P*P], [0, 1] values): the
 * original; the input the model gets (masked patches shown in the ImageNet mean colour, which the
 * normalisation turns into zero, though the model sees its mask token there; replaced patches
 * showing their own token's centroid); the centroids of the predicted tokens; the pixel block's
 * prediction de-normalised with each patch's mean and standard deviation. In the last two, the
 * masked and replaced positions show the prediction and the others the original.
 */
public final class ReconstructionPanels {

  public static final List<String> TITLES =
      List.of(
          "original", "masked + replaced input", "predicted tokens' centroids", "pixel prediction");

  private ReconstructionPanels() {}

  public static List<float[]> of(TrainingSample sample, Codebook codebook, SamplePrediction p) {
    int side = sample.getImageSize();
    int patchSize = codebook.patchSize();
    int dim = codebook.dim();
    ByteBuffer pixels = sample.getPixels().duplicate();
    byte[] chw = new byte[pixels.remaining()];
    pixels.get(chw);
    float[] original = Patches.fromChwBytes(chw, RgbImage.CHANNELS, side, side, patchSize);
    int[] ids = TokenIds.unpack(sample.getTokenIds());
    float[] input = original.clone();
    for (int position : sample.getMaskedPositions()) {
      int plane = patchSize * patchSize;
      for (int i = 0; i < dim; i++) {
        input[position * dim + i] = MaskedPatches.IMAGENET_MEAN_RGB[i / plane] / 255f;
      }
    }
    for (int position : sample.getReplacedPositions()) {
      codebook.copyCentroid(ids[position], input, position * dim);
    }
    float[] tokens = original.clone();
    float[] predicted = original.clone();
    for (int j = 0; j < p.positions().length; j++) {
      codebook.copyCentroid(p.predicted()[j], tokens, p.positions()[j] * dim);
      System.arraycopy(p.pixels(), j * dim, predicted, p.positions()[j] * dim, dim);
    }
    return List.of(original, input, tokens, predicted);
  }
}
