/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.ccvit.tokenizer.SharedData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The original schedules, layer-decay table and weight-decay groups, on every golden case that
 * carries them (today "schedule" and "tiny_a").
 */
class GoldenScheduleTest {

  private static final double SCHEDULE_TOLERANCE = 1e-12;

  @TestFactory
  Stream<DynamicTest> everyGoldenScheduleIsReproduced() {
    return cases(this::checkSchedules, "schedules");
  }

  private static Stream<DynamicTest> cases(
      Consumer<Path> check, String manifestKey, String... files) {
    return SharedData.goldenCasesWithManifestKey(manifestKey, files).stream()
        .map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> check.accept(c)));
  }

  private void checkSchedules(Path dir) {
    JsonObject schedules =
        GoldenFiles.json(dir.resolve("manifest.json")).getAsJsonObject("schedules");
    assertFalse(schedules.isEmpty(), "no schedules in " + dir);
    try (NDManager manager = NDManager.newBaseManager()) {
      for (Map.Entry<String, JsonElement> entry : schedules.entrySet()) {
        JsonObject args = kwargs(entry.getValue().getAsJsonObject().get("call").getAsString());
        double base = args.get("base_value").getAsDouble();
        double finalValue = args.get("final_value").getAsDouble();
        int epochs = args.get("epochs").getAsInt();
        int iters = args.get("niter_per_ep").getAsInt();
        int warmupEpochs = args.has("warmup_epochs") ? args.get("warmup_epochs").getAsInt() : 0;
        int warmupSteps = args.has("warmup_steps") ? args.get("warmup_steps").getAsInt() : -1;
        double[] actual =
            CosineSchedule.original(
                base, finalValue, epochs, iters, warmupEpochs, 0.0, warmupSteps);
        double[] expected =
            GoldenFiles.npy(manager, dir.resolve("schedule_" + entry.getKey() + ".npy"))
                .toDoubleArray();
        assertEquals(expected.length, actual.length, entry.getKey());
        int warmupIters = warmupSteps > 0 ? warmupSteps : warmupEpochs * iters;
        CosineSchedule streaming =
            new CosineSchedule(base, finalValue, warmupIters, (long) epochs * iters);
        for (int i = 0; i < expected.length; i++) {
          assertEquals(expected[i], actual[i], SCHEDULE_TOLERANCE, entry.getKey() + "[" + i + "]");
          assertEquals(actual[i], streaming.valueAt(i), 0.0, entry.getKey() + " streaming " + i);
        }
        assertEquals(finalValue, streaming.valueAt(expected.length), 0.0);
      }
    }
  }

  @Test
  void warmupStepsWithoutWarmupEpochsFailsAsInTheOriginal() {
    assertThrows(
        IllegalArgumentException.class,
        () -> CosineSchedule.original(1.5e-3, 1e-5, 3, 7, 0, 0.0, 5));
  }

  @TestFactory
  Stream<DynamicTest> layerDecayTableIsReproduced() {
    return cases(
        this::checkLayerDecay,
        "finetune_layer_decay",
        "layer_decay_table.json",
        "layer_decay_scales.npy");
  }

  private void checkLayerDecay(Path dir) {
    JsonObject ft =
        GoldenFiles.json(dir.resolve("manifest.json")).getAsJsonObject("finetune_layer_decay");
    int depth = ft.get("num_layers").getAsInt();
    double decay = ft.get("layer_decay").getAsDouble();
    JsonObject table = GoldenFiles.json(dir.resolve("layer_decay_table.json"));
    Map<String, Double> scales = LayerDecay.scales(table.keySet(), depth, decay);
    assertEquals(table.keySet(), scales.keySet());
    for (Map.Entry<String, JsonElement> entry : table.entrySet()) {
      String name = entry.getKey();
      JsonObject row = entry.getValue().getAsJsonObject();
      assertEquals(row.get("layer_id").getAsInt(), LayerDecay.layerId(name, depth + 2), name);
      double expected = row.get("lr_scale").getAsDouble();
      assertEquals(expected, scales.get(name), 1e-15 * expected, name);
      boolean decayed = row.get("weight_decay").getAsDouble() > 0;
      assertEquals(decayed, DecayRule.decays(name, shape(row)), name);
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      double[] perLayer =
          GoldenFiles.npy(manager, dir.resolve("layer_decay_scales.npy")).toDoubleArray();
      for (int id = 0; id < perLayer.length; id++) {
        assertEquals(perLayer[id], Math.pow(decay, depth + 1 - id), 1e-15 * perLayer[id]);
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> pretrainingDecayGroupsAreReproduced() {
    return cases(this::checkBaseDecayGroups, "schedules", "pretrain_base_state_dict_keys.json");
  }

  private void checkBaseDecayGroups(Path dir) {
    JsonObject keys = GoldenFiles.json(dir.resolve("pretrain_base_state_dict_keys.json"));
    int checked = 0;
    for (Map.Entry<String, JsonElement> entry : keys.entrySet()) {
      JsonObject row = entry.getValue().getAsJsonObject();
      String group = row.get("group").getAsString();
      if (!group.equals("buffer")) {
        assertEquals(
            group.equals("decay"), DecayRule.decays(entry.getKey(), shape(row)), entry.getKey());
        checked++;
      }
    }
    assertEquals(keys.size() - 1, checked, "only relative_position_index is a buffer");
  }

  /** The decay group of every parameter of each case's model, as its optimizer had them. */
  @TestFactory
  Stream<DynamicTest> caseDecayGroupsAreReproduced() {
    return cases(this::checkCaseDecayGroups, "optimizer", "state_dict");
  }

  private void checkCaseDecayGroups(Path dir) {
    JsonObject manifest = GoldenFiles.json(dir.resolve("manifest.json"));
    JsonObject groups = manifest.getAsJsonObject("optimizer").getAsJsonObject("param_groups");
    JsonObject shapes = stateDictShapes(manifest);
    for (Map.Entry<String, JsonElement> entry : groups.entrySet()) {
      boolean decayed = entry.getValue().getAsJsonObject().get("weight_decay").getAsDouble() > 0;
      Shape shape = shape(shapes.getAsJsonObject(entry.getKey()));
      assertEquals(decayed, DecayRule.decays(entry.getKey(), shape), entry.getKey());
    }
  }

  private static JsonObject stateDictShapes(JsonObject manifest) {
    JsonObject byName = new JsonObject();
    manifest
        .getAsJsonObject("model")
        .getAsJsonArray("state_dict_keys")
        .forEach(e -> byName.add(e.getAsJsonObject().get("key").getAsString(), e));
    return byName;
  }

  private static Shape shape(JsonObject row) {
    return new Shape(
        StreamSupport.stream(row.getAsJsonArray("shape").spliterator(), false)
            .mapToLong(JsonElement::getAsLong)
            .toArray());
  }

  /** The keyword arguments of a manifest call "utils.cosine_scheduler(**{...})". */
  private static JsonObject kwargs(String call) {
    int open = call.indexOf("**{");
    int close = call.lastIndexOf('}');
    return JsonParser.parseString(call.substring(open + 2, close + 1)).getAsJsonObject();
  }
}
