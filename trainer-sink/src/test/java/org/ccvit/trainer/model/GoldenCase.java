/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ccvit.tokenizer.SharedData;

/** One case folder of the golden vectors made by the original code (see golden/README.md). */
public record GoldenCase(String name, Path dir, JsonNode manifest) {

  /**
   * Every golden case whose manifest has a "model" configuration (skipped without golden data on a
   * contributor's machine; a failure under CI, see {@link SharedData}).
   */
  public static List<GoldenCase> withModel() {
    return SharedData.goldenCasesWithManifestKey("model", "state_dict").stream()
        .map(GoldenCase::open)
        .toList();
  }

  public static GoldenCase open(Path dir) {
    try {
      JsonNode manifest = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
      return new GoldenCase(dir.getFileName().toString(), dir, manifest);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir.resolve("manifest.json"), e);
    }
  }

  public CcvitConfig config() {
    return CcvitConfig.fromGoldenManifest(manifest.get("model"));
  }

  /** State-dict keys in the original order. */
  public List<String> stateDictKeys() {
    return manifest.get("model").get("state_dict_keys").findValuesAsText("key");
  }

  /** Reads a .npy array by its path relative to the case folder, without the extension. */
  public NDArray array(NDManager manager, String relative) {
    try {
      return NDList.decode(manager, Files.readAllBytes(dir.resolve(relative + ".npy")))
          .singletonOrThrow();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read golden array " + relative, e);
    }
  }

  /** The case's initial state_dict loaded by name into a fresh store. */
  public ParameterStore initialParameters(NDManager manager) {
    ParameterStore store = CcvitModel.newParameters(config(), manager);
    for (String key : stateDictKeys()) {
      try (NDArray value = array(manager, "state_dict/" + key)) {
        store.assign(key, value);
      }
    }
    return store;
  }

  /** Norm-wise relative error ||a - b|| / ||b|| (absolute when b is zero). */
  public static double relativeError(NDArray actual, NDArray expected) {
    double[] a = actual.toType(ai.djl.ndarray.types.DataType.FLOAT64, true).toDoubleArray();
    double[] b = expected.toType(ai.djl.ndarray.types.DataType.FLOAT64, true).toDoubleArray();
    if (a.length != b.length) {
      throw new AssertionError("sizes differ: " + a.length + " vs " + b.length);
    }
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < a.length; i++) {
      diff += (a[i] - b[i]) * (a[i] - b[i]);
      norm += b[i] * b[i];
    }
    return norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
  }
}
