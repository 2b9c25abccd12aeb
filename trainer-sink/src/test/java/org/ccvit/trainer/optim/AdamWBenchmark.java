/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prints the cost of clipping and of one AdamW step over a ViT-S-sized parameter set (12 blocks,
 * dim 384), as a ratio to one in-place elementwise pass over the same arrays (best of 5). Run
 * manually: {@code java -cp <test classpath> org.ccvit.trainer.optim.AdamWBenchmark [dim]}.
 */
public final class AdamWBenchmark {

  private AdamWBenchmark() {}

  public static void main(String[] args) {
    int dim = args.length > 0 ? Integer.parseInt(args[0]) : 384;
    Engine.getInstance().setRandomSeed(0);
    try (NDManager manager = NDManager.newBaseManager();
        AdamW adamW = new AdamW(0.9, 0.98, 1e-8, manager)) {
      Map<String, NDArray> params = new LinkedHashMap<>();
      Map<String, NDArray> grads = new LinkedHashMap<>();
      for (int b = 0; b < 12; b++) {
        String p = "blocks." + b + ".";
        add(manager, params, grads, p + "attn.qkv.weight", new Shape(3L * dim, dim));
        add(manager, params, grads, p + "attn.proj.weight", new Shape(dim, dim));
        add(manager, params, grads, p + "mlp.fc1.weight", new Shape(4L * dim, dim));
        add(manager, params, grads, p + "mlp.fc2.weight", new Shape(dim, 4L * dim));
        for (String bias : new String[] {"attn.q_bias", "attn.v_bias", "norm1.weight", "gamma_1"}) {
          add(manager, params, grads, p + bias, new Shape(dim));
        }
      }
      long count = params.values().stream().mapToLong(NDArray::size).sum();
      double pass = Double.MAX_VALUE;
      double clip = Double.MAX_VALUE;
      double step = Double.MAX_VALUE;
      for (int r = 0; r < 5; r++) {
        long t0 = System.nanoTime();
        params.forEach((name, p) -> p.addi(grads.get(name)));
        long t1 = System.nanoTime();
        GradientClipping.clipByGlobalNorm(grads, 1e9);
        long t2 = System.nanoTime();
        adamW.step(params, grads, 1e-3, 0.05);
        long t3 = System.nanoTime();
        pass = Math.min(pass, (t1 - t0) / 1e6);
        clip = Math.min(clip, (t2 - t1) / 1e6);
        step = Math.min(step, (t3 - t2) / 1e6);
      }
      System.out.printf(
          "%d parameters in %d arrays: elementwise pass %.1f ms, clip norm %.1f ms (%.1fx),"
              + " AdamW step %.1f ms (%.1fx)%n",
          count, params.size(), pass, clip, clip / pass, step, step / pass);
    }
  }

  private static void add(
      NDManager manager,
      Map<String, NDArray> params,
      Map<String, NDArray> grads,
      String name,
      Shape shape) {
    params.put(name, manager.randomNormal(shape).muli(0.02));
    grads.put(name, manager.randomNormal(shape).muli(1e-3));
  }
}
