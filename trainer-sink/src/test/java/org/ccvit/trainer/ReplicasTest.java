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

import ai.djl.Device;
import java.util.List;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.junit.jupiter.api.Test;

/**
 * The device-split seam. DJL maps every CPU device id to the one CPU device ({@code
 * Device.of("cpu", 1)} is {@code cpu()}), so two replicas here share it: the test covers the split,
 * each replica's own forward and backward, the sum onto the first and the copy back, not a transfer
 * between devices.
 */
class ReplicasTest {

  @Test
  void partsAreConsecutiveAndDifferByAtMostOne() {
    List<Integer> seven = List.of(0, 1, 2, 3, 4, 5, 6);
    assertEquals(List.of(List.of(0, 1, 2), List.of(3, 4, 5, 6)), Replicas.split(seven, 2));
    assertEquals(
        List.of(List.of(0), List.of(1, 2), List.of(3, 4), List.of(5, 6)), Replicas.split(seven, 4));
    assertEquals(List.of(List.of(0), List.of(1)), Replicas.split(List.of(0, 1), 3));
  }

  @Test
  void aBatchSplitAcrossTwoReplicasStepsAsOneModel() {
    Codebook codebook = randomCodebook(1);
    List<TrainingSample> first = samples(codebook, 6, 2, codebook.version());
    List<TrainingSample> second = samples(codebook, 5, 3, codebook.version());
    TrainConfig train = TrainConfig.original(6, 10, 0);
    try (Trainer single = new Trainer(TINY, train, codebook);
        Trainer split = new Trainer(TINY, train, List.of(Device.cpu(), Device.of("cpu", 1)))) {
      split.useCodebook(codebook);
      for (List<TrainingSample> batch : List.of(first, second)) {
        StepMetrics one = single.step(batch);
        StepMetrics two = split.step(batch);
        assertEquals(one.loss(), two.loss(), 1e-5 * one.loss(), "loss");
        assertEquals(one.gradNorm(), two.gradNorm(), 1e-4 * one.gradNorm(), "gradient norm");
        assertEquals(one.batchSize(), two.batchSize());
      }
      single
          .parameters()
          .parameters()
          .forEach(
              (name, array) ->
                  assertArrayEquals(
                      array.toFloatArray(),
                      split.parameters().get(name).toFloatArray(),
                      1e-5f,
                      name));
    }
  }
}
