/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.optim;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/** torch.nn.utils.clip_grad_norm_ (torch 1.13) over a set of gradients. */
public final class GradientClipping {

  /** Added to the total norm before dividing, as torch does, so a zero norm never divides by 0. */
  private static final double NORM_EPSILON = 1e-6;

  private GradientClipping() {}

  /**
   * Scales every gradient in place by maxNorm / (total + 1e-6) when that factor is below 1, where
   * total is the 2-norm of all gradients taken together.
   *
   * @param grads gradients by parameter name; modified in place
   * @param maxNorm the largest allowed total norm; {@code <= 0} disables clipping
   * @return the total norm before clipping
   */
  public static double clipByGlobalNorm(Map<String, NDArray> grads, double maxNorm) {
    if (Double.isNaN(maxNorm)) {
      throw new IllegalArgumentException("maxNorm is NaN; expected a number (<= 0 disables)");
    }
    double sumOfSquares = 0;
    for (Map.Entry<String, NDArray> entry : grads.entrySet()) {
      NDArray grad = entry.getValue();
      if (grad == null) {
        throw new IllegalArgumentException("gradient of " + entry.getKey() + " is null");
      }
      // Per-tensor float32 norms, then their norm, as torch stacks the per-tensor norms.
      try (NDArray norm = grad.norm()) {
        double n = norm.toArray()[0].doubleValue();
        sumOfSquares += n * n;
      }
    }
    double total = Math.sqrt(sumOfSquares);
    if (maxNorm > 0) {
      // torch computes the coefficient in float32.
      float coefficient = (float) (maxNorm / (total + NORM_EPSILON));
      if (coefficient < 1f) {
        for (NDArray grad : grads.values()) {
          grad.muli(coefficient);
        }
      }
    }
    return total;
  }
}
