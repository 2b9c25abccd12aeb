/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ccvit.tokenizer.io.AtomicFile;
import org.ccvit.trainer.model.ParameterStore;

/**
 * Model weights as a safetensors file under the original PyTorch state_dict names (parameters and
 * the relative position index buffer), so the original model classes can load what this project
 * writes and vice versa.
 */
public final class SafetensorsWeights {
  private SafetensorsWeights() {}

  /** Writes every parameter and buffer; the file is replaced atomically. */
  public static void save(ParameterStore store, Path file) {
    try {
      AtomicFile.write(file, out -> write(store, out));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write weights to " + file, e);
    }
  }

  /** Writes every parameter and buffer as one safetensors file's bytes; leaves the stream open. */
  public static void write(ParameterStore store, OutputStream out) throws IOException {
    NDList list = new NDList();
    store.parameters().forEach((name, array) -> list.add(named(array, name)));
    store.buffers().forEach((name, array) -> list.add(named(array, name)));
    list.encode(out, NDList.Encoding.SAFETENSORS);
  }

  /**
   * Reads a file into the store. Every parameter and buffer of the store must be present with the
   * same shape and type, nothing else may be present, and buffers must hold the same values;
   * otherwise nothing is changed and the exception lists every mismatch.
   */
  public static void load(ParameterStore store, Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      read(store, in, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read weights from " + file, e);
    }
  }

  /** As {@link #load}, from a stream; {@code source} names it in messages. */
  public static void read(ParameterStore store, InputStream in, String source) {
    try (NDManager scratch = store.manager().newSubManager()) {
      Map<String, NDArray> loaded = new LinkedHashMap<>();
      for (NDArray array : decode(scratch, in, source)) {
        loaded.put(array.getName(), array);
      }
      List<String> problems = mismatches(store, loaded);
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(
            "weights in "
                + source
                + " do not fit the model configuration ("
                + problems.size()
                + " mismatches):\n  "
                + String.join("\n  ", problems));
      }
      store.parameters().keySet().forEach(name -> store.assign(name, loaded.get(name)));
    }
  }

  private static NDList decode(NDManager manager, InputStream in, String source) {
    try {
      return NDList.decode(manager, in);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalArgumentException(
          source
              + " is not a safetensors file ("
              + e.getMessage()
              + "); give weights written by ccvit or a state_dict saved with safetensors",
          e);
    }
  }

  private static List<String> mismatches(ParameterStore store, Map<String, NDArray> loaded) {
    List<String> problems = new ArrayList<>();
    Map<String, NDArray> expected = new LinkedHashMap<>(store.parameters());
    expected.putAll(store.buffers());
    expected.forEach(
        (name, want) -> {
          NDArray got = loaded.get(name);
          if (got == null) {
            problems.add("missing " + name + " " + want.getDataType() + want.getShape());
          } else if (!got.getShape().equals(want.getShape())
              || got.getDataType() != want.getDataType()) {
            problems.add(
                "wrong shape/type for "
                    + name
                    + ": file has "
                    + got.getDataType()
                    + got.getShape()
                    + ", model needs "
                    + want.getDataType()
                    + want.getShape());
          } else if (store.buffers().containsKey(name) && !got.contentEquals(want)) {
            problems.add("buffer " + name + " differs from the one this configuration implies");
          }
        });
    loaded.keySet().stream()
        .filter(name -> !expected.containsKey(name))
        .forEach(name -> problems.add("unexpected " + name));
    return problems;
  }

  private static NDArray named(NDArray array, String name) {
    array.setName(name);
    return array;
  }
}
