/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ccvit.schemas.TokenIds;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.patch.Patches;
import org.ccvit.trainer.io.SafetensorsWeights;
import org.ccvit.trainer.model.CcvitConfig;
import org.ccvit.trainer.model.CcvitLoss;
import org.ccvit.trainer.model.CcvitModel;
import org.ccvit.trainer.model.ModelOutput;
import org.ccvit.trainer.model.ParameterStore;

/**
 * What a trained model predicts for corrupted samples, with the input built exactly as for training
 * ({@link TrainingBatch}): the token it predicts at every masked and replaced position and its
 * pixel prediction there, turned back into pixels with the mean and standard deviation of the
 * original patch. Not thread-safe.
 */
public final class Predictor implements AutoCloseable {

  private final CcvitConfig config;
  private final Codebook codebook;
  private final NDManager manager;
  private final CcvitModel model;

  /**
   * Loads {@code weights}, which must fit {@code config} exactly (see {@link SafetensorsWeights}).
   */
  public Predictor(CcvitConfig config, Codebook codebook, Path weights) {
    if (codebook.k() != config.vocabSize() || codebook.patchSize() != config.patchSize()) {
      throw new IllegalArgumentException(
          "codebook "
              + codebook.version()
              + " (K="
              + codebook.k()
              + ", patch "
              + codebook.patchSize()
              + ") does not fit the model (K="
              + config.vocabSize()
              + ", patch "
              + config.patchSize()
              + ")");
    }
    this.config = config;
    this.codebook = codebook;
    this.manager = NDManager.newBaseManager();
    ParameterStore parameters = CcvitModel.newParameters(config, manager);
    try {
      SafetensorsWeights.load(parameters, weights);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
    this.model = new CcvitModel(config, parameters);
  }

  /** One prediction per sample, in order. */
  public List<SamplePrediction> predict(List<TrainingSample> samples) {
    TrainingBatch b = TrainingBatch.build(samples, config, codebook);
    long[] predicted;
    float[] pixels;
    try (NDScope scope = new NDScope()) {
      int side = config.imgSize();
      NDArray input =
          manager.create(b.input(), new Shape(b.batchSize(), config.inChans(), side, side));
      NDArray masked = manager.create(b.masked(), new Shape(b.batchSize(), config.numPatches()));
      ModelOutput out = model.forward(input, masked, manager.create(b.lossPositions()));
      predicted = CcvitLoss.predictions(out.tokenLogits());
      pixels = out.pixelPredictions().toFloatArray();
    }
    int n = config.numPatches();
    int dim = config.patchDim();
    List<SamplePrediction> result = new ArrayList<>();
    int row = 0;
    for (int i = 0; i < samples.size(); i++) {
      TrainingSample s = samples.get(i);
      float[] patches =
          Patches.fromChwBytes(
              TrainingBatch.bytes(s.getPixels()),
              config.inChans(),
              config.imgSize(),
              config.imgSize(),
              config.patchSize());
      int[] ids = TokenIds.unpack(s.getTokenIds());
      int count = 0;
      while (row + count < b.lossPositions().length && b.lossPositions()[row + count] / n == i) {
        count++;
      }
      int[] positions = new int[count];
      int[] labels = new int[count];
      int[] tokens = new int[count];
      boolean[] replaced = new boolean[count];
      float[] restored = new float[count * dim];
      for (int j = 0; j < count; j++) {
        int position = (int) (b.lossPositions()[row + j] % n);
        positions[j] = position;
        labels[j] = ids[position];
        tokens[j] = (int) predicted[row + j];
        replaced[j] = b.replaced()[row + j];
        System.arraycopy(pixels, (row + j) * dim, restored, j * dim, dim);
        CcvitLoss.denormalizePatch(restored, j * dim, patches, position * dim, dim);
      }
      result.add(new SamplePrediction(positions, replaced, labels, tokens, restored));
      row += count;
    }
    return result;
  }

  @Override
  public void close() {
    manager.close();
  }
}
