/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Reads the arrays and JSON of golden cases (found through {@code SharedData}). */
final class GoldenFiles {

  private GoldenFiles() {}

  static JsonObject json(Path file) {
    try {
      return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8))
          .getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One .npy file as an array of the manager. */
  static NDArray npy(NDManager manager, Path file) {
    try {
      // NDList.decode recognises the numpy format (NDArray.decode reads only DJL's own).
      return NDList.decode(manager, Files.readAllBytes(file)).singletonOrThrow();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every .npy file of a folder, keyed by file name without ".npy", sorted by name. */
  static Map<String, NDArray> npyFolder(NDManager manager, Path dir) {
    Map<String, NDArray> arrays = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      files
          .filter(f -> f.getFileName().toString().endsWith(".npy"))
          .forEach(
              f -> {
                String file = f.getFileName().toString();
                arrays.put(file.substring(0, file.length() - 4), npy(manager, f));
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return arrays;
  }

  /** ||actual - expected|| / ||expected|| over all elements, in float64. */
  static double relativeError(NDArray actual, NDArray expected) {
    double[] a = actual.toType(ai.djl.ndarray.types.DataType.FLOAT64, true).toDoubleArray();
    double[] e = expected.toType(ai.djl.ndarray.types.DataType.FLOAT64, true).toDoubleArray();
    if (a.length != e.length) {
      throw new AssertionError("sizes differ: " + a.length + " vs " + e.length);
    }
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < a.length; i++) {
      diff += (a[i] - e[i]) * (a[i] - e[i]);
      norm += e[i] * e[i];
    }
    return norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
  }
}
