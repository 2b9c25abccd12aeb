/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.function.IntConsumer;
import org.ccvit.trainer.model.CcvitConfig;
import org.ccvit.trainer.model.Encoder;
import org.ccvit.trainer.model.ParameterStore;

/** Frozen features of the encoder: the pooled outputs of {@link Encoder#pooled} per image. */
public final class FeatureExtractor {

  /**
   * Features of a set of images.
   *
   * @param cls the normalized CLS state of each image, [n][D]
   * @param mean the normalized mean of its patch states, [n][D]
   */
  public record Features(float[][] cls, float[][] mean) {
    /** The features a pooling names: "cls" or "mean". */
    public float[][] pooled(String pool) {
      return switch (pool) {
        case "cls" -> cls;
        case "mean" -> mean;
        default -> throw new IllegalArgumentException("pool is cls or mean, got " + pool);
      };
    }
  }

  private final CcvitConfig config;
  private final ParameterStore encoder;

  public FeatureExtractor(CcvitConfig config, ParameterStore encoder) {
    this.config = config;
    this.encoder = encoder;
  }

  /**
   * @param batchSize images per forward pass
   * @param progress receives the number of images done after each batch
   */
  public Features extract(LabeledImages images, int batchSize, IntConsumer progress) {
    if (images.size() != config.imgSize()) {
      throw new IllegalArgumentException(
          "images are " + images.size() + "px, the model takes " + config.imgSize() + "px");
    }
    int n = images.count();
    float[][] cls = new float[n][];
    float[][] mean = new float[n][];
    NDManager manager = encoder.manager();
    int side = config.imgSize();
    for (int from = 0; from < n; from += batchSize) {
      int to = Math.min(n, from + batchSize);
      try (NDScope scope = new NDScope()) {
        NDArray input =
            manager.create(images.normalized(from, to), new Shape(to - from, 3, side, side));
        NDList pooled = Encoder.pooled(Encoder.forward(encoder, config, input, null));
        copyRows(pooled.get(0), cls, from);
        copyRows(pooled.get(1), mean, from);
      }
      progress.accept(to);
    }
    return new Features(cls, mean);
  }

  private static void copyRows(NDArray rows, float[][] into, int from) {
    int d = (int) rows.getShape().get(1);
    float[] flat = rows.toFloatArray();
    for (int i = 0; i < flat.length / d; i++) {
      into[from + i] = java.util.Arrays.copyOfRange(flat, i * d, (i + 1) * d);
    }
  }
}
