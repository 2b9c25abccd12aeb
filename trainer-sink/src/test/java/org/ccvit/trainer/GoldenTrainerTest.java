/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.trainer.io.SafetensorsWeights;
import org.ccvit.trainer.model.GoldenCase;
import org.ccvit.trainer.model.ParameterStore;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Input building and one whole training step against the original training loop. */
class GoldenTrainerTest {
  @TempDir Path dir;

  @TestFactory
  Stream<DynamicTest> batchInputsMatchTheOriginalLoop() {
    return GoldenCase.withModel().stream()
        .map(golden -> DynamicTest.dynamicTest(golden.name(), () -> checkBatch(golden)));
  }

  @TestFactory
  Stream<DynamicTest> oneStepMatchesTheOriginalParametersAfterAdamW() {
    return GoldenCase.withModel().stream()
        .map(golden -> DynamicTest.dynamicTest(golden.name(), () -> checkStep(golden, 1)));
  }

  /** --accumulate 2: two micro-batches of half the images give the original's whole-batch step. */
  @TestFactory
  Stream<DynamicTest> twoAccumulatedMicroBatchesMatchTheOriginalStepOnTheWholeBatch() {
    return GoldenCase.withModel().stream()
        .map(golden -> DynamicTest.dynamicTest(golden.name(), () -> checkStep(golden, 2)));
  }

  private static void checkBatch(GoldenCase golden) {
    try (NDManager manager = NDManager.newBaseManager()) {
      Codebook codebook = GoldenSamples.codebook(golden);
      TrainingBatch batch =
          TrainingBatch.build(
              GoldenSamples.samples(golden, manager, codebook.version()),
              golden.config(),
              codebook);
      NDArray input = manager.create(batch.input());
      assertTrue(
          GoldenCase.relativeError(input, golden.array(manager, "input_normalized").flatten())
              < 1e-6,
          "input_normalized");
      assertArrayEquals(golden.array(manager, "labels_token").toLongArray(), batch.labels());
      double targetError =
          GoldenCase.relativeError(
              manager.create(batch.targets()), golden.array(manager, "labels_pixel").flatten());
      System.out.println("golden " + golden.name() + " pixel target error " + targetError);
      assertTrue(targetError < 1e-5, "labels_pixel " + targetError);
    }
  }

  private void checkStep(GoldenCase golden, int accumulate) throws IOException {
    com.fasterxml.jackson.databind.JsonNode optimizer = golden.manifest().get("optimizer");
    double lr = optimizer.get("lr").asDouble();
    Codebook codebook = GoldenSamples.codebook(golden);
    List<TrainingSample> samples;
    try (NDManager manager = NDManager.newBaseManager()) {
      samples = GoldenSamples.samples(golden, manager, codebook.version());
    }
    int images = samples.size();
    assertEquals(0, images % accumulate, "images must split into " + accumulate + " micro-batches");
    // A constant learning rate: the original step ran with lr = min_lr = 1.5e-3.
    TrainConfig train =
        new TrainConfig(
            images / accumulate,
            lr,
            lr,
            0,
            1,
            optimizer.get("weight_decay").asDouble(),
            optimizer.get("betas").get(0).asDouble(),
            optimizer.get("betas").get(1).asDouble(),
            optimizer.get("eps").asDouble(),
            optimizer.get("clip_grad").asDouble(),
            0,
            accumulate);
    Path weights = dir.resolve(golden.name() + ".safetensors");
    try (NDManager manager = NDManager.newBaseManager()) {
      try (ParameterStore initial = golden.initialParameters(manager)) {
        SafetensorsWeights.save(initial, weights);
      }
      List<StepMetrics> steps = new ArrayList<>();
      try (StreamTrainer stream = new StreamTrainer(golden.config(), train, recorder(steps))) {
        Trainer trainer = stream.trainer();
        trainer.loadWeights(weights);
        stream.codebook(codebook);
        for (TrainingSample s : samples) {
          stream.sample(s);
        }
        assertEquals(1, steps.size(), "one optimizer step for the whole batch");
        StepMetrics m = steps.get(0);
        assertEquals(images, m.batchSize());
        assertEquals(golden.array(manager, "loss_total").getFloat(), m.loss(), 1e-5 * m.loss());
        assertEquals(
            golden.array(manager, "grad_total_norm").getFloat(), m.gradNorm(), 1e-4 * m.gradNorm());
        assertEquals(lr, m.learningRate(), 1e-15);
        double worst = 0;
        for (Map.Entry<String, NDArray> p : trainer.parameters().parameters().entrySet()) {
          double error =
              GoldenCase.relativeError(
                  p.getValue(), golden.array(manager, "after_step/" + p.getKey()));
          worst = Math.max(worst, error);
          assertTrue(error < 1e-4, p.getKey() + " after one step: relative error " + error);
        }
        System.out.println(
            "golden "
                + golden.name()
                + " one step in "
                + accumulate
                + " micro-batches: "
                + m
                + ", largest parameter error "
                + worst);
      }
    }
  }

  private static StreamTrainer.Events recorder(List<StepMetrics> steps) {
    return new StreamTrainer.Events() {
      @Override
      public void trained(StepMetrics metrics, List<TrainingSample> batch, String version) {
        steps.add(metrics);
      }

      @Override
      public void dropped(TrainingSample sample, StreamTrainer.Drop why, String reason) {
        throw new AssertionError("dropped " + sample.getKey() + ": " + reason);
      }
    };
  }
}
