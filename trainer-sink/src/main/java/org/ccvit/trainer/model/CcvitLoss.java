/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.model;

import ai.djl.ndarray.NDArray;

/**
 * The original's dual loss: cross-entropy of the token logits against the centroid ids plus the
 * mean squared error of the pixel predictions against per-patch normalized pixels, weights 1:1,
 * each averaged over the loss positions.
 */
public final class CcvitLoss {
  /** Added to the unbiased patch variance before the square root, as the original. */
  public static final double TARGET_EPS = 1e-6;

  private CcvitLoss() {}

  /** Mean cross-entropy; logits [M, V], labels int64 [M]. */
  public static NDArray crossEntropy(NDArray logits, NDArray labels) {
    return logits.logSoftmax(-1).gather(labels.reshape(-1, 1), 1).mean().neg();
  }

  /** Mean squared error over every element. */
  public static NDArray meanSquaredError(NDArray predictions, NDArray targets) {
    return predictions.sub(targets).square().mean();
  }

  /**
   * Normalizes one patch in place: (x - mean) / sqrt(unbiased variance + 1e-6), the original's
   * pixel target (MAE's norm-pix with the unbiased variance).
   */
  public static void normalizePatch(float[] values, int offset, int length) {
    double[] stats = meanAndStd(values, offset, length);
    double inverseStd = 1 / stats[1];
    for (int i = offset; i < offset + length; i++) {
      values[i] = (float) ((values[i] - stats[0]) * inverseStd);
    }
  }

  /**
   * The inverse of {@link #normalizePatch}: turns a normalized pixel prediction back into pixels
   * with the mean and standard deviation of the patch it predicts.
   *
   * @param prediction normalized values at {@code [offset, offset+length)}, rewritten in place
   * @param patch the original patch's values at {@code [patchOffset, patchOffset+length)}
   */
  public static void denormalizePatch(
      float[] prediction, int offset, float[] patch, int patchOffset, int length) {
    double[] stats = meanAndStd(patch, patchOffset, length);
    for (int i = 0; i < length; i++) {
      prediction[offset + i] = (float) (prediction[offset + i] * stats[1] + stats[0]);
    }
  }

  /** Mean and sqrt(unbiased variance + 1e-6) of one patch. */
  private static double[] meanAndStd(float[] values, int offset, int length) {
    if (length < 2) {
      throw new IllegalArgumentException("a patch needs at least 2 values, got " + length);
    }
    double sum = 0;
    for (int i = offset; i < offset + length; i++) {
      sum += values[i];
    }
    double mean = sum / length;
    double squares = 0;
    for (int i = offset; i < offset + length; i++) {
      double d = values[i] - mean;
      squares += d * d;
    }
    return new double[] {mean, Math.sqrt(squares / (length - 1) + TARGET_EPS)};
  }

  /** Predicted class per row (first maximum on ties). */
  public static long[] predictions(NDArray logits) {
    try (NDArray argmax = logits.argMax(-1)) {
      return argmax.toLongArray();
    }
  }

  /** Share of the selected rows whose prediction equals the label; NaN when no row is selected. */
  public static double accuracy(long[] predicted, long[] labels, boolean[] selected) {
    long correct = 0;
    long total = 0;
    for (int i = 0; i < labels.length; i++) {
      if (selected[i]) {
        total++;
        if (predicted[i] == labels[i]) {
          correct++;
        }
      }
    }
    return total == 0 ? Double.NaN : (double) correct / total;
  }
}
