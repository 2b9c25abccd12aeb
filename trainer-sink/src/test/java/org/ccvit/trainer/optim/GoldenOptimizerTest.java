/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clipping and one AdamW step on the golden case tiny_a (the original code's raw gradients, clipped
 * gradients, AdamW state and parameters after the step), at clip 3.0 (inactive) and 1.0 (active).
 */
class GoldenOptimizerTest {

  private static final double STEP_TOLERANCE = 1e-4;

  private Path dir;
  private JsonObject optimizer;
  private NDManager manager;

  @BeforeEach
  void load() {
    dir = GoldenFiles.caseDir("tiny_a");
    optimizer = GoldenFiles.json(dir.resolve("manifest.json")).getAsJsonObject("optimizer");
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void release() {
    manager.close();
  }

  @Test
  void totalNormMatchesAndInactiveClippingLeavesGradientsAlone() {
    Map<String, NDArray> grads = GoldenFiles.npyFolder(manager, dir.resolve("grad"));
    Map<String, NDArray> raw = copies(grads);
    double total = GradientClipping.clipByGlobalNorm(grads, clipGrad());
    double expected = GoldenFiles.npy(manager, dir.resolve("grad_total_norm.npy")).getFloat(0);
    assertEquals(expected, total, 1e-6 * expected);
    assertEquals(1f, GoldenFiles.npy(manager, dir.resolve("grad_clip_coef.npy")).getFloat(0));
    raw.forEach((name, g) -> assertEquals(g, grads.get(name), name + " changed"));
    assertMatches(grads, GoldenFiles.npyFolder(manager, dir.resolve("grad_clipped")), 0, "clip");
  }

  @Test
  void oneStepMatchesTheOriginal() {
    Map<String, NDArray> params = parameters();
    Map<String, NDArray> grads = GoldenFiles.npyFolder(manager, dir.resolve("grad"));
    GradientClipping.clipByGlobalNorm(grads, clipGrad());
    try (AdamW adamW = newAdamW()) {
      adamW.step(params, grads, lr(), weightDecay());
      assertEquals(1, adamW.stepCount());
      Map<String, NDArray> expected = GoldenFiles.npyFolder(manager, dir.resolve("after_step"));
      assertEquals(params.keySet(), expected.keySet());
      double worst = assertMatches(params, expected, STEP_TOLERANCE, "after_step");
      // The update alone (after - before) is far smaller than the parameters: check it too.
      Map<String, NDArray> initial = parameters();
      Map<String, NDArray> update = new LinkedHashMap<>();
      Map<String, NDArray> expectedUpdate = new LinkedHashMap<>();
      initial.forEach(
          (name, p0) -> {
            update.put(name, params.get(name).sub(p0));
            expectedUpdate.put(name, expected.get(name).sub(p0));
          });
      double worstUpdate = assertMatches(update, expectedUpdate, STEP_TOLERANCE, "update");
      // Golden state files are named <param>.exp_avg(_sq); ours exp_avg(_sq).<param>.
      Map<String, NDArray> expectedState = new LinkedHashMap<>();
      GoldenFiles.npyFolder(manager, dir.resolve("adam_state"))
          .forEach(
              (file, array) -> {
                int dot = file.lastIndexOf('.');
                expectedState.put(file.substring(dot + 1) + "." + file.substring(0, dot), array);
              });
      double worstState = assertMatches(adamW.state(), expectedState, STEP_TOLERANCE, "adam_state");
      System.out.printf(
          "tiny_a one step, largest relative errors: parameters %.3g, updates %.3g, state %.3g%n",
          worst, worstUpdate, worstState);
    }
  }

  @Test
  void activeClippingAtOneMatchesTheOriginal() {
    Map<String, NDArray> params = parameters();
    Map<String, NDArray> grads = GoldenFiles.npyFolder(manager, dir.resolve("grad"));
    Map<String, NDArray> raw = copies(grads);
    Path supp = dir.resolve("supp_clip1");
    double total = GradientClipping.clipByGlobalNorm(grads, 1.0);
    float coefficient = GoldenFiles.npy(manager, supp.resolve("grad_clip_coef.npy")).getFloat(0);
    assertEquals((float) (1.0 / (total + 1e-6)), coefficient, 1e-6f * coefficient);
    for (String name : grads.keySet()) {
      NDArray expected = raw.get(name).mul(coefficient);
      assertTrue(GoldenFiles.relativeError(grads.get(name), expected) < 1e-6, name);
    }
    try (AdamW adamW = newAdamW()) {
      adamW.step(params, grads, lr(), weightDecay());
      Map<String, NDArray> expected = GoldenFiles.npyFolder(manager, supp.resolve("after_step"));
      Map<String, NDArray> highlighted = new LinkedHashMap<>();
      expected.keySet().forEach(name -> highlighted.put(name, params.get(name)));
      double worst = assertMatches(highlighted, expected, STEP_TOLERANCE, "supp_clip1");
      System.out.printf("tiny_a clip 1.0 after one step: largest relative error %.3g%n", worst);
    }
  }

  @Test
  void resumingFromSavedStateEqualsTwoStepsInOneGo() {
    Map<String, NDArray> grads = GoldenFiles.npyFolder(manager, dir.resolve("grad"));
    Map<String, NDArray> straight = parameters();
    Map<String, NDArray> resumed = parameters();
    try (AdamW first = newAdamW();
        AdamW interrupted = newAdamW();
        AdamW restored = newAdamW()) {
      first.step(straight, grads, lr(), weightDecay());
      first.step(straight, grads, lr() * 0.5, weightDecay());

      interrupted.step(resumed, grads, lr(), weightDecay());
      restored.loadState(interrupted.state(), interrupted.stepCount());
      interrupted.close();
      restored.step(resumed, grads, lr() * 0.5, weightDecay());

      assertEquals(2, restored.stepCount());
      straight.forEach((name, p) -> assertEquals(p, resumed.get(name), name));
      first.state().forEach((name, s) -> assertEquals(s, restored.state().get(name), name));
      // The second step really moved the parameters again.
      Map<String, NDArray> afterOne = GoldenFiles.npyFolder(manager, dir.resolve("after_step"));
      assertFalse(afterOne.get("lm_head.weight").equals(straight.get("lm_head.weight")));
    }
  }

  /** The parameters (not the buffers) of the golden state_dict, in the model's order. */
  private Map<String, NDArray> parameters() {
    JsonObject manifest = GoldenFiles.json(dir.resolve("manifest.json"));
    Map<String, NDArray> params = new LinkedHashMap<>();
    for (JsonElement key : manifest.getAsJsonObject("model").getAsJsonArray("state_dict_keys")) {
      JsonObject entry = key.getAsJsonObject();
      if (entry.get("is_parameter").getAsBoolean()) {
        String name = entry.get("key").getAsString();
        NDArray param = GoldenFiles.npy(manager, dir.resolve("state_dict/" + name + ".npy"));
        param.setRequiresGradient(true);
        params.put(name, param);
      }
    }
    return params;
  }

  private AdamW newAdamW() {
    double[] betas = {
      optimizer.getAsJsonArray("betas").get(0).getAsDouble(),
      optimizer.getAsJsonArray("betas").get(1).getAsDouble()
    };
    assertArrayEquals(new double[] {0.9, 0.98}, betas);
    return new AdamW(betas[0], betas[1], optimizer.get("eps").getAsDouble(), manager);
  }

  private double lr() {
    return optimizer.get("lr").getAsDouble();
  }

  private double weightDecay() {
    return optimizer.get("weight_decay").getAsDouble();
  }

  private double clipGrad() {
    return optimizer.get("clip_grad").getAsDouble();
  }

  private Map<String, NDArray> copies(Map<String, NDArray> arrays) {
    Map<String, NDArray> copies = new LinkedHashMap<>();
    arrays.forEach((name, a) -> copies.put(name, a.duplicate()));
    return copies;
  }

  /** Checks every expected array against the actual one of the same name; returns the worst. */
  private static double assertMatches(
      Map<String, NDArray> actual, Map<String, NDArray> expected, double tolerance, String what) {
    double worst = 0;
    for (Map.Entry<String, NDArray> entry : expected.entrySet()) {
      NDArray found = actual.get(entry.getKey());
      assertTrue(found != null, what + ": missing " + entry.getKey());
      assertEquals(entry.getValue().getShape(), found.getShape(), entry.getKey());
      double error = GoldenFiles.relativeError(found, entry.getValue());
      assertTrue(error <= tolerance, what + ": " + entry.getKey() + " relative error " + error);
      worst = Math.max(worst, error);
    }
    return worst;
  }
}
