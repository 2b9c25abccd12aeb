/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ccvit.trainer.model.CcvitConfig;
import org.ccvit.trainer.model.CcvitModel;
import org.ccvit.trainer.model.Encoder;
import org.ccvit.trainer.model.Initializer;
import org.ccvit.trainer.model.ParameterStore;

/**
 * The encoder's parameters from pre-trained weights (a {@code weights.safetensors} of pretrain, any
 * K) or from the seeded initialisation of pre-training, the random-init baseline.
 */
public final class EncoderWeights {
  private EncoderWeights() {}

  /**
   * A store with the encoder's parameters and buffers.
   *
   * @param weights a safetensors file under the original names, or null for the random init
   * @param seed seed of the random init (the same as pretrain's {@code --seed} gives)
   * @throws IllegalArgumentException listing every encoder parameter missing or of another shape
   */
  public static ParameterStore load(
      CcvitConfig config, Path weights, long seed, NDManager manager) {
    Map<String, Shape> shapes = Encoder.parameterShapes(config);
    ParameterStore store = new ParameterStore(manager, shapes);
    Encoder.addBuffers(store, config);
    if (weights == null) {
      // Pre-training's initialisation runs over its parameters in order, the encoder's first, so
      // these are the values a pretrain run with this seed starts from.
      try (ParameterStore full = CcvitModel.newParameters(config, manager)) {
        Initializer.initialize(full, config, seed);
        shapes.keySet().forEach(name -> store.assign(name, full.get(name)));
      }
      return store;
    }
    try (NDManager scratch = manager.newSubManager();
        InputStream in = Files.newInputStream(weights)) {
      Map<String, NDArray> loaded = new HashMap<>();
      for (NDArray array : NDList.decode(scratch, in)) {
        loaded.put(array.getName(), array);
      }
      List<String> problems = new ArrayList<>();
      shapes.forEach(
          (name, shape) -> {
            NDArray got = loaded.get(name);
            if (got == null) {
              problems.add("missing " + name + shape);
            } else if (!got.getShape().equals(shape)) {
              problems.add(name + ": file has " + got.getShape() + ", model needs " + shape);
            }
          });
      if (!problems.isEmpty()) {
        store.close();
        throw new IllegalArgumentException(
            "weights in "
                + weights
                + " do not fit the encoder (give the --model and sizes they were trained with):\n  "
                + String.join("\n  ", problems));
      }
      shapes.keySet().forEach(name -> store.assign(name, loaded.get(name)));
    } catch (IOException e) {
      store.close();
      throw new UncheckedIOException("cannot read weights from " + weights, e);
    }
    return store;
  }
}
