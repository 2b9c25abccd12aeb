/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import static org.ccvit.trainer.TinySamples.TINY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.trainer.model.CcvitLoss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictorTest {

  @TempDir Path tmp;

  @Test
  void predictsWhatTheTrainingStepScoresFromTheSameWeights() {
    Codebook codebook = TinySamples.randomCodebook(1);
    List<TrainingSample> batch = TinySamples.samples(codebook, 4, 2, codebook.version());
    Path weights = tmp.resolve("w.safetensors");
    StepMetrics scored;
    try (Trainer trainer = new Trainer(TINY, TrainConfig.original(4, 10, 0), codebook)) {
      for (int i = 0; i < 15; i++) {
        trainer.step(batch);
      }
      trainer.saveWeights(weights);
      // The step's accuracy is that of its forward pass, before its update.
      scored = trainer.step(batch);
    }
    try (Predictor predictor = new Predictor(TINY, codebook, weights)) {
      List<SamplePrediction> predictions = predictor.predict(batch);
      assertEquals(4, predictions.size());
      int correct = 0;
      int masked = 0;
      for (int i = 0; i < 4; i++) {
        SamplePrediction p = predictions.get(i);
        TrainingSample s = batch.get(i);
        assertEquals(
            s.getMaskedPositions().size() + s.getReplacedPositions().size(), p.positions().length);
        assertEquals(p.positions().length * TINY.patchDim(), p.pixels().length);
        correct += p.correctMasked();
        masked += p.masked();
      }
      assertTrue(scored.accuracyMasked() > 0, "trained long enough to predict something");
      assertEquals(scored.accuracyMasked(), correct / (double) masked, 1e-9);
    }
  }

  @Test
  void denormalizingAPerfectPredictionGivesBackThePatch() {
    SplittableRandom random = new SplittableRandom(3);
    float[] patch = new float[48];
    for (int i = 0; i < patch.length; i++) {
      patch[i] = (float) random.nextDouble();
    }
    float[] prediction = patch.clone();
    CcvitLoss.normalizePatch(prediction, 0, 48);
    CcvitLoss.denormalizePatch(prediction, 0, patch, 0, 48);
    assertArrayEquals(patch, prediction, 1e-6f);
  }
}
