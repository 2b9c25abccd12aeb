/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

/**
 * What one training step measured.
 *
 * @param step 1-based number of this step
 * @param loss ce + mse
 * @param ce token cross-entropy over the masked and replaced positions
 * @param mse pixel regression error over the same positions
 * @param accuracyMasked token accuracy over masked positions
 * @param accuracyReplaced token accuracy over replaced positions (near-trivial: their input shows
 *     the target centroid); NaN when the batch has none
 * @param learningRate the schedule value used by this step
 * @param gradNorm global gradient norm before clipping
 * @param batchSize images in the batch
 */
public record StepMetrics(
    long step,
    double loss,
    double ce,
    double mse,
    double accuracyMasked,
    double accuracyReplaced,
    double learningRate,
    double gradNorm,
    int batchSize) {}
