/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.Map;

/**
 * The original's Conv2d with kernel = stride = patch size, computed as what it is: each C x P x P
 * patch flattened and multiplied by the kernel viewed as a [embedDim, C*P*P] matrix.
 */
final class PatchEmbedding {
  private PatchEmbedding() {}

  static void declare(Map<String, Shape> shapes, String prefix, CcvitConfig c) {
    shapes.put(
        prefix + ".proj.weight",
        new Shape(c.embedDim(), c.inChans(), c.patchSize(), c.patchSize()));
    shapes.put(prefix + ".proj.bias", new Shape(c.embedDim()));
  }

  /** [B, C, H, W] to [B, N, C*P*P]: grid row-major, each patch in C x P x P order. */
  static NDArray patchify(NDArray images, int patchSize) {
    Shape s = images.getShape();
    long b = s.get(0);
    long ch = s.get(1);
    long gh = s.get(2) / patchSize;
    long gw = s.get(3) / patchSize;
    return images
        .reshape(b, ch, gh, patchSize, gw, patchSize)
        .transpose(0, 2, 4, 1, 3, 5)
        .reshape(b, gh * gw, ch * patchSize * patchSize);
  }

  /** [B, C, H, W] to patch embeddings [B, N, D]. */
  static NDArray forward(ParameterStore p, String prefix, CcvitConfig c, NDArray images) {
    NDArray kernel = p.get(prefix + ".proj.weight").reshape(c.embedDim(), c.patchDim());
    return Linear.linear(patchify(images, c.patchSize()), kernel, p.get(prefix + ".proj.bias"))
        .singletonOrThrow();
  }
}
