/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OptimizerStateIOTest {

  @TempDir Path tmp;

  @Test
  void saveLoadRoundTripContinuesTheSameWay() throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> straight = params(manager);
      Map<String, NDArray> resumed = params(manager);
      Map<String, NDArray> grads = new LinkedHashMap<>();
      grads.put(
          "blocks.0.mlp.fc1.weight",
          manager.create(new float[] {0.3f, -0.1f, 2f, 0f}, new Shape(2, 2)));
      grads.put("blocks.0.mlp.fc1.bias", manager.create(new float[] {-0.5f, 0.02f}));
      Path file = tmp.resolve("ckpt/optimizer.safetensors");
      try (AdamW a = new AdamW(0.9, 0.98, 1e-8, manager);
          AdamW b = new AdamW(0.9, 0.98, 1e-8, manager);
          AdamW c = new AdamW(0.9, 0.98, 1e-8, manager)) {
        for (int i = 0; i < 3; i++) {
          a.step(straight, grads, 1e-2, 0.05);
          b.step(resumed, grads, 1e-2, 0.05);
        }
        OptimizerStateIO.save(b, file);
        OptimizerStateIO.load(c, file);
        assertEquals(3, c.stepCount());
        assertEquals(b.state().keySet(), c.state().keySet());
        b.state().forEach((name, s) -> assertEquals(s, c.state().get(name), name));

        a.step(straight, grads, 1e-2, 0.05);
        c.step(resumed, grads, 1e-2, 0.05);
        straight.forEach(
            (name, p) ->
                assertArrayEquals(p.toFloatArray(), resumed.get(name).toFloatArray(), name));
      }
    }
  }

  @Test
  void aFileWithoutStepCountIsRejected() throws IOException {
    Path file = tmp.resolve("other.safetensors");
    try (NDManager manager = NDManager.newBaseManager();
        AdamW adamW = new AdamW(0.9, 0.98, 1e-8, manager)) {
      NDArray array = manager.ones(new Shape(2));
      array.setName("exp_avg.x");
      try (OutputStream out = Files.newOutputStream(file)) {
        new NDList(array).encode(out, NDList.Encoding.SAFETENSORS);
      }
      IOException e = assertThrows(IOException.class, () -> OptimizerStateIO.load(adamW, file));
      assertTrue(e.getMessage().contains(OptimizerStateIO.STEP_COUNT), e.getMessage());
    }
  }

  private static Map<String, NDArray> params(NDManager manager) {
    Map<String, NDArray> params = new LinkedHashMap<>();
    params.put(
        "blocks.0.mlp.fc1.weight",
        manager.create(new float[] {1f, 2f, -3f, 0.5f}, new Shape(2, 2)));
    params.put("blocks.0.mlp.fc1.bias", manager.create(new float[] {0.1f, -0.2f}));
    return params;
  }
}
