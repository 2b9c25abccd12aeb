/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ccvit.tokenizer.io.AtomicFile;

/**
 * Saves and restores an {@link AdamW} state as a safetensors file: the moments under their torch
 * names ("exp_avg.&lt;param&gt;", "exp_avg_sq.&lt;param&gt;") plus the step count as a one-element
 * int64 tensor named {@value #STEP_COUNT}.
 */
public final class OptimizerStateIO {

  /** Name of the tensor holding the number of steps taken. */
  public static final String STEP_COUNT = "step_count";

  private OptimizerStateIO() {}

  /** Writes the optimizer's state; the file appears complete or not at all. */
  public static void save(AdamW adamW, Path file) throws IOException {
    AtomicFile.write(file, out -> write(adamW, out));
  }

  /** Writes the optimizer's state as one safetensors file's bytes; leaves the stream open. */
  public static void write(AdamW adamW, OutputStream out) throws IOException {
    try (NDManager scratch = NDManager.newBaseManager()) {
      NDList list = new NDList();
      list.addAll(adamW.state().values());
      NDArray steps = scratch.create(new long[] {adamW.stepCount()});
      steps.setName(STEP_COUNT);
      list.add(steps);
      list.encode(out, NDList.Encoding.SAFETENSORS);
    }
  }

  /** Replaces the optimizer's state and step count with those saved in the file. */
  public static void load(AdamW adamW, Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      read(adamW, in, file.toString());
    }
  }

  /** As {@link #load}, from a stream; {@code source} names it in messages. */
  public static void read(AdamW adamW, InputStream in, String source) throws IOException {
    try (NDManager scratch = NDManager.newBaseManager()) {
      Map<String, NDArray> state = new LinkedHashMap<>();
      for (NDArray array : NDList.decode(scratch, in)) {
        state.put(array.getName(), array);
      }
      NDArray steps = state.remove(STEP_COUNT);
      if (steps == null || steps.size() != 1) {
        throw new IOException(
            source
                + " is not an AdamW state file: expected a one-element tensor '"
                + STEP_COUNT
                + "'");
      }
      adamW.loadState(state, steps.toArray()[0].longValue());
    }
  }
}
