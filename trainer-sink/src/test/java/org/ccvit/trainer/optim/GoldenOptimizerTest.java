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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.ccvit.tokenizer.SharedData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Clipping and one AdamW step against the original code's raw gradients, clipped gradients, AdamW
 * state and parameters after the step, on every golden case that carries them: at the case's own
 * clip value, and at the clip value of each {@code supp_clip<value>} folder it has.
 */
class GoldenOptimizerTest {

  private static final double STEP_TOLERANCE = 1e-4;
  private static final String SUPP_CLIP = "supp_clip";

  private Path dir;
  private JsonObject optimizer;
  private NDManager manager;

  /** Runs the check on each case holding the files. */
  private Stream<DynamicTest> onCasesWith(Runnable check, String... files) {
    return SharedData.goldenCasesWith(files).stream()
        .map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> inCase(c, check)));
  }

  /** Runs the check with dir, optimizer and a fresh manager set for the case. */
  private void inCase(Path goldenCase, Runnable check) {
    dir = goldenCase;
    optimizer = GoldenFiles.json(dir.resolve("manifest.json")).getAsJsonObject("optimizer");
    try (NDManager m = NDManager.newBaseManager()) {
      manager = m;
      check.run();
    }
  }

  @TestFactory
  Stream<DynamicTest> totalNormMatchesAndInactiveClippingLeavesGradientsAlone() {
    return onCasesWith(
        this::checkInactiveClipping,
        "grad",
        "grad_total_norm.npy",
        "grad_clip_coef.npy",
        "grad_clipped");
  }

  private void checkInactiveClipping() {
    Map<String, NDArray> grads = GoldenFiles.npyFolder(manager, dir.resolve("grad"));
    Map<String, NDArray> raw = copies(grads);
    double total = GradientClipping.clipByGlobalNorm(grads, clipGrad());
    double expected = GoldenFiles.npy(manager, dir.resolve("grad_total_norm.npy")).getFloat(0);
    assertEquals(expected, total, 1e-6 * expected);
    assertEquals(1f, GoldenFiles.npy(manager, dir.resolve("grad_clip_coef.npy")).getFloat(0));
    raw.forEach((name, g) -> assertEquals(g, grads.get(name), name + " changed"));
    assertMatches(grads, GoldenFiles.npyFolder(manager, dir.resolve("grad_clipped")), 0, "clip");
  }

  @TestFactory
  Stream<DynamicTest> oneStepMatchesTheOriginal() {
    return onCasesWith(this::checkOneStep, "grad", "state_dict", "after_step", "adam_state");
  }

  private void checkOneStep() {
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
          "%s one step, largest relative errors: parameters %.3g, updates %.3g, state %.3g%n",
          dir.getFileName(), worst, worstUpdate, worstState);
    }
  }

  /** Every case with raw gradients and a {@code supp_clip<value>} folder of a clipped step. */
  @TestFactory
  Stream<DynamicTest> activeClippingMatchesTheOriginal() {
    List<Path> supplements = new ArrayList<>();
    for (Path c : SharedData.goldenCasesWith("grad", "state_dict")) {
      try (Stream<Path> children = Files.list(c)) {
        children
            .filter(d -> d.getFileName().toString().startsWith(SUPP_CLIP))
            .filter(d -> Files.isDirectory(d.resolve("after_step")))
            .sorted()
            .forEach(supplements::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (supplements.isEmpty()) {
      SharedData.missing("no golden case holds a " + SUPP_CLIP + "<value>/after_step folder");
    }
    return supplements.stream()
        .map(
            supp ->
                DynamicTest.dynamicTest(
                    supp.getParent().getFileName() + "/" + supp.getFileName(),
                    () -> inCase(supp.getParent(), () -> checkActiveClipping(supp))));
  }

  private void checkActiveClipping(Path supp) {
    double clip = Double.parseDouble(supp.getFileName().toString().substring(SUPP_CLIP.length()));
    Map<String, NDArray> params = parameters();
    Map<String, NDArray> grads = GoldenFiles.npyFolder(manager, dir.resolve("grad"));
    Map<String, NDArray> raw = copies(grads);
    double total = GradientClipping.clipByGlobalNorm(grads, clip);
    float coefficient = GoldenFiles.npy(manager, supp.resolve("grad_clip_coef.npy")).getFloat(0);
    assertTrue(coefficient < 1f, "clipping must be active in " + supp);
    assertEquals((float) (clip / (total + 1e-6)), coefficient, 1e-6f * coefficient);
    for (String name : grads.keySet()) {
      NDArray expected = raw.get(name).mul(coefficient);
      assertTrue(GoldenFiles.relativeError(grads.get(name), expected) < 1e-6, name);
    }
    try (AdamW adamW = newAdamW()) {
      adamW.step(params, grads, lr(), weightDecay());
      Map<String, NDArray> expected = GoldenFiles.npyFolder(manager, supp.resolve("after_step"));
      Map<String, NDArray> highlighted = new LinkedHashMap<>();
      expected.keySet().forEach(name -> highlighted.put(name, params.get(name)));
      double worst = assertMatches(highlighted, expected, STEP_TOLERANCE, supp.toString());
      System.out.printf(
          "%s clip %s after one step: largest relative error %.3g%n",
          dir.getFileName(), clip, worst);
    }
  }

  @TestFactory
  Stream<DynamicTest> resumingFromSavedStateEqualsTwoStepsInOneGo() {
    return onCasesWith(this::checkResume, "grad", "state_dict", "after_step");
  }

  private void checkResume() {
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
      assertFalse(
          afterOne.entrySet().stream().allMatch(e -> e.getValue().equals(straight.get(e.getKey()))),
          "the second step moved no parameter");
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
