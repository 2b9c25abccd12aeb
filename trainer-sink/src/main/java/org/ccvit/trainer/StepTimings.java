/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

/**
 * Where one optimizer step's time went, in nanoseconds (PyTorch's CPU operations are synchronous,
 * so each phase's wall time is its work). With accumulation, each phase sums over the
 * micro-batches.
 *
 * @param buildNanos batch assembly: pixels to normalized floats, replaced patches, targets, arrays
 * @param forwardNanos the model's forward pass
 * @param lossNanos cross-entropy and MSE, their values and the token predictions
 * @param backwardNanos autograd's backward pass
 * @param clipNanos global gradient norm and clipping
 * @param optimizerNanos AdamW, parameter broadcast and zeroing the gradients
 */
public record StepTimings(
    long buildNanos,
    long forwardNanos,
    long lossNanos,
    long backwardNanos,
    long clipNanos,
    long optimizerNanos) {

  /** The whole step. */
  public long totalNanos() {
    return buildNanos + forwardNanos + lossNanos + backwardNanos + clipNanos + optimizerNanos;
  }
}
