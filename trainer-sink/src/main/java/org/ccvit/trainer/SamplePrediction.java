/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

/**
 * The model's outputs for one sample at its masked and replaced positions, ascending.
 *
 * @param positions patch indices (row-major)
 * @param replaced whether each position was replaced (otherwise masked)
 * @param labels the token of the clean patch at each position
 * @param predicted the predicted token (argmax) at each position
 * @param pixels the pixel prediction at each position, de-normalised with the original patch's mean
 *     and standard deviation: [0, 1] pixels in C x P x P order, one row per position
 */
public record SamplePrediction(
    int[] positions, boolean[] replaced, int[] labels, int[] predicted, float[] pixels) {

  /** Correct predictions at masked (not replaced) positions. */
  public int correctMasked() {
    int correct = 0;
    for (int i = 0; i < positions.length; i++) {
      correct += !replaced[i] && predicted[i] == labels[i] ? 1 : 0;
    }
    return correct;
  }

  /** Number of masked (not replaced) positions. */
  public int masked() {
    int count = 0;
    for (boolean r : replaced) {
      count += r ? 0 : 1;
    }
    return count;
  }
}
