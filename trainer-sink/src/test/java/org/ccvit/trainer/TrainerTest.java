/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.trainer.model.CcvitConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  private static final CcvitConfig TINY = CcvitConfig.tiny(32, 4, 16);
  private static final int MASKED = 16;
  private static final int REPLACED = 4;

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
          TrainingSample.newBuilder(good).setTokenIds(Collections.nCopies(64, 16)).build();
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

  private static Codebook randomCodebook(long seed) {
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
  private static List<TrainingSample> samples(
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
              .setTokenIds(ids)
              .setMaskedPositions(new ArrayList<>(order.subList(0, MASKED)))
              .setReplacedPositions(new ArrayList<>(order.subList(MASKED, MASKED + REPLACED)))
              .build());
    }
    return out;
  }
}
