/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import static org.ccvit.trainer.TinySamples.TINY;
import static org.ccvit.trainer.TinySamples.randomCodebook;
import static org.ccvit.trainer.TinySamples.samples;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ccvit.schemas.TokenIds;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.trainer.optim.CosineSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

  @TempDir Path dir;

  @Test
  void lossFallsClearlyOnARepeatedBatch() {
    Codebook codebook = randomCodebook(1);
    List<TrainingSample> batch = samples(codebook, 4, 2, codebook.version());
    // The original recipe, but a constant peak rate after a short warm-up: a 30-step cosine would
    // spend most of the steps near the minimum.
    TrainConfig train = new TrainConfig(4, 2e-3, 2e-3, 3, 30, 0.05, 0.9, 0.98, 1e-8, 3.0, 0);
    try (Trainer trainer = new Trainer(TINY, train, codebook)) {
      StepMetrics first = trainer.step(batch);
      StepMetrics last = first;
      for (int i = 1; i < 30; i++) {
        last = trainer.step(batch);
      }
      System.out.println("tiny trainer: first " + first + "\n              last  " + last);
      assertEquals(30, trainer.stepCount());
      assertEquals(30, last.step());
      assertTrue(last.loss() < 0.8 * first.loss(), first.loss() + " -> " + last.loss());
      assertTrue(last.ce() < first.ce() && last.mse() < first.mse());
      assertTrue(last.accuracyReplaced() > first.accuracyReplaced());
      assertEquals(0, first.learningRate(), "warm-up starts at 0");
    }
  }

  @Test
  void refusesSamplesOfAnotherCodebookOrShape() {
    Codebook codebook = randomCodebook(1);
    try (Trainer trainer = new Trainer(TINY, TrainConfig.original(4, 10, 0), codebook)) {
      TrainingSample good = samples(codebook, 1, 3, codebook.version()).get(0);
      assertNull(trainer.rejectionReason(good));

      TrainingSample stale = samples(codebook, 1, 3, "other-version").get(0);
      assertTrue(trainer.rejectionReason(stale).contains("codebook version other-version"));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> trainer.step(List.of(good, stale)));
      assertTrue(e.getMessage().contains("codebook version"), e.getMessage());
      assertEquals(0, trainer.stepCount());

      TrainingSample small = TrainingSample.newBuilder(good).setImageSize(16).build();
      assertTrue(trainer.rejectionReason(small).contains("does not fit"));
      TrainingSample badId =
          TrainingSample.newBuilder(good)
              .setTokenIds(TokenIds.pack(new int[64]).put(0, (byte) 16).rewind())
              .build();
      assertTrue(trainer.rejectionReason(badId).contains("token id 16 outside [0, 16)"));
      List<Integer> overlap = new ArrayList<>(good.getReplacedPositions());
      overlap.set(0, good.getMaskedPositions().get(0));
      assertNotNull(
          trainer.rejectionReason(
              TrainingSample.newBuilder(good).setReplacedPositions(overlap).build()));
      TrainingSample shortPixels =
          TrainingSample.newBuilder(good).setPixels(ByteBuffer.allocate(10)).build();
      assertTrue(trainer.rejectionReason(shortPixels).contains("pixels hold 10 bytes"));
    }
  }

  @Test
  void refusesACodebookThatDoesNotFitTheModel() {
    Codebook wrongK = new Codebook("k8", 8, 4, 3, new float[8 * 48]);
    assertThrows(
        IllegalArgumentException.class,
        () -> new Trainer(TINY, TrainConfig.original(4, 10, 0), wrongK).close());
  }

  @Test
  void weightsSavedByOneTrainerLoadIntoAnother() {
    Codebook codebook = randomCodebook(1);
    Path file = dir.resolve("w.safetensors");
    try (Trainer trained = new Trainer(TINY, TrainConfig.original(4, 10, 0), codebook);
        Trainer fresh = new Trainer(TINY, TrainConfig.original(4, 10, 0), codebook)) {
      trained.step(samples(codebook, 2, 4, codebook.version()));
      trained.saveWeights(file);
      fresh.loadWeights(file);
      trained
          .parameters()
          .parameters()
          .forEach(
              (name, array) ->
                  assertArrayEquals(
                      array.toFloatArray(), fresh.parameters().get(name).toFloatArray(), name));
    }
  }

  @Test
  void savedStateContinuesAtTheSameStepAndSchedulePosition() throws IOException {
    Codebook codebook = randomCodebook(1);
    List<TrainingSample> first = samples(codebook, 4, 6, codebook.version());
    List<TrainingSample> next = samples(codebook, 4, 7, codebook.version());
    TrainConfig train = TrainConfig.original(4, 10, 2);
    ByteArrayOutputStream weights = new ByteArrayOutputStream();
    ByteArrayOutputStream optimizer = new ByteArrayOutputStream();
    try (Trainer uninterrupted = new Trainer(TINY, train, codebook);
        Trainer resumed = new Trainer(TINY, train, codebook)) {
      uninterrupted.step(first);
      uninterrupted.step(first);
      uninterrupted.writeWeights(weights);
      uninterrupted.writeOptimizerState(optimizer);
      StepMetrics expected = uninterrupted.step(next);

      load(resumed, weights, optimizer);
      assertEquals(2, resumed.stepCount());
      StepMetrics actual = resumed.step(next);
      // Same step and schedule position exactly; the numbers to float rounding, because PyTorch's
      // CPU backward is not always bit-reproducible between two model instances (the gradient
      // norm moved by ~1e-5 relative in about one run in ten).
      assertEquals(expected.step(), actual.step());
      assertEquals(expected.learningRate(), actual.learningRate());
      assertEquals(expected.loss(), actual.loss(), 1e-5 * expected.loss());
      assertEquals(expected.gradNorm(), actual.gradNorm(), 1e-4 * expected.gradNorm());
      double diff = 0;
      double norm = 0;
      for (var entry : uninterrupted.parameters().parameters().entrySet()) {
        float[] e = entry.getValue().toFloatArray();
        float[] a = resumed.parameters().get(entry.getKey()).toFloatArray();
        for (int i = 0; i < e.length; i++) {
          diff += (double) (e[i] - a[i]) * (e[i] - a[i]);
          norm += (double) e[i] * e[i];
        }
      }
      assertTrue(Math.sqrt(diff) <= 1e-3 * Math.sqrt(norm), "parameters differ after the step");
    }
    // A changed learning rate takes effect at the restored step.
    TrainConfig faster = new TrainConfig(4, 3e-3, 1e-5, 2, 10, 0.05, 0.9, 0.98, 1e-8, 3.0, 0);
    try (Trainer resumed = new Trainer(TINY, faster, codebook)) {
      load(resumed, weights, optimizer);
      StepMetrics m = resumed.step(next);
      assertEquals(3, m.step());
      assertEquals(new CosineSchedule(3e-3, 1e-5, 2, 10).valueAt(2), m.learningRate());
    }
  }

  private static void load(
      Trainer trainer, ByteArrayOutputStream weights, ByteArrayOutputStream optimizer)
      throws IOException {
    trainer.readWeights(new ByteArrayInputStream(weights.toByteArray()), "saved weights");
    trainer.readOptimizerState(new ByteArrayInputStream(optimizer.toByteArray()), "saved state");
  }

  /** 50 steps must not leave arrays behind (prints the process memory for the record). */
  @Test
  void memoryDoesNotGrowOverSteps() throws IOException {
    Codebook codebook = randomCodebook(1);
    List<TrainingSample> batch = samples(codebook, 4, 5, codebook.version());
    try (Trainer trainer = new Trainer(TINY, TrainConfig.original(4, 50, 5), codebook)) {
      BaseNDManager root = (BaseNDManager) trainer.parameters().manager().getParentManager();
      long arraysAfter5 = 0;
      long rssAfter5 = 0;
      for (int i = 1; i <= 50; i++) {
        trainer.step(batch);
        if (i == 5) {
          arraysAfter5 = root.getManagedArrays().size();
          rssAfter5 = residentKb();
        }
      }
      long arraysAfter50 = root.getManagedArrays().size();
      System.out.println(
          "memory: arrays after 5 steps "
              + arraysAfter5
              + ", after 50 "
              + arraysAfter50
              + "; RSS after 5 steps "
              + rssAfter5
              + " kB, after 50 "
              + residentKb()
              + " kB");
      assertEquals(arraysAfter5, arraysAfter50, "arrays left behind by steps");
    }
  }

  private static long residentKb() throws IOException {
    return Files.readAllLines(Path.of("/proc/self/status")).stream()
        .filter(l -> l.startsWith("VmRSS:"))
        .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
        .findFirst()
        .orElse(-1);
  }
}
