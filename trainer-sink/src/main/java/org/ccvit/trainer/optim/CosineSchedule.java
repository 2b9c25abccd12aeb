/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.optim;

/**
 * The original per-iteration schedule (BEiT utils.cosine_scheduler): a linear warm-up from a start
 * value to the base value (numpy linspace, both ends included), then a half cosine from the base
 * value towards the final value over the remaining iterations (the last iteration stays just above
 * the final value, as in the original). Past the end the value is the final value, so a streaming
 * trainer without epoch boundaries can keep asking.
 */
public final class CosineSchedule {

  private final double base;
  private final double finalValue;
  private final double startWarmupValue;
  private final long warmupSteps;
  private final long totalSteps;

  /** A schedule whose warm-up starts at 0, as the original pre-training and fine-tuning use it. */
  public CosineSchedule(double base, double finalValue, long warmupSteps, long totalSteps) {
    this(base, finalValue, 0.0, warmupSteps, totalSteps);
  }

  /**
   * @param base value reached at the end of the warm-up
   * @param finalValue value the cosine decays towards, and the value after totalSteps
   * @param startWarmupValue value of the first warm-up step
   * @param warmupSteps number of warm-up steps ({@code 0} for none)
   * @param totalSteps number of scheduled steps, warm-up included
   */
  public CosineSchedule(
      double base, double finalValue, double startWarmupValue, long warmupSteps, long totalSteps) {
    requireFinite(base, "base");
    requireFinite(finalValue, "finalValue");
    requireFinite(startWarmupValue, "startWarmupValue");
    if (warmupSteps < 0 || totalSteps < warmupSteps) {
      throw new IllegalArgumentException(
          "expected 0 <= warmupSteps <= totalSteps, got warmupSteps="
              + warmupSteps
              + ", totalSteps="
              + totalSteps);
    }
    this.base = base;
    this.finalValue = finalValue;
    this.startWarmupValue = startWarmupValue;
    this.warmupSteps = warmupSteps;
    this.totalSteps = totalSteps;
  }

  /**
   * The whole schedule exactly as utils.cosine_scheduler returns it: one value per iteration.
   * {@code warmupSteps > 0} overrides {@code warmupEpochs * itersPerEpoch} as the warm-up length,
   * but, as in the original, only when {@code warmupEpochs > 0} (otherwise the original fails its
   * length assertion, and so does this method).
   */
  public static double[] original(
      double base,
      double finalValue,
      int epochs,
      int itersPerEpoch,
      int warmupEpochs,
      double startWarmupValue,
      int warmupSteps) {
    if (epochs <= 0 || itersPerEpoch <= 0 || warmupEpochs < 0) {
      throw new IllegalArgumentException(
          "expected epochs > 0, itersPerEpoch > 0, warmupEpochs >= 0, got "
              + epochs
              + ", "
              + itersPerEpoch
              + ", "
              + warmupEpochs);
    }
    long total = (long) epochs * itersPerEpoch;
    long warmupIters = warmupSteps > 0 ? warmupSteps : (long) warmupEpochs * itersPerEpoch;
    if (warmupEpochs == 0 && warmupIters > 0) {
      throw new IllegalArgumentException(
          "warmupSteps="
              + warmupSteps
              + " needs warmupEpochs > 0: the original drops those steps from the cosine part"
              + " without adding warm-up values and fails");
    }
    if (warmupIters > total) {
      throw new IllegalArgumentException(
          "warm-up of " + warmupIters + " iterations is longer than the " + total + " scheduled");
    }
    CosineSchedule schedule =
        new CosineSchedule(base, finalValue, startWarmupValue, warmupIters, total);
    double[] values = new double[Math.toIntExact(total)];
    for (int i = 0; i < values.length; i++) {
      values[i] = schedule.valueAt(i);
    }
    return values;
  }

  /** The value for a 0-based global step. */
  public double valueAt(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    if (step < warmupSteps) {
      // numpy.linspace: start + i * step, with the last point set to the end value exactly.
      if (step == warmupSteps - 1) {
        return warmupSteps == 1 ? startWarmupValue : base;
      }
      return step * ((base - startWarmupValue) / (warmupSteps - 1)) + startWarmupValue;
    }
    if (step >= totalSteps) {
      return finalValue;
    }
    long cosineSteps = totalSteps - warmupSteps;
    double progress = (double) (step - warmupSteps) / cosineSteps;
    return finalValue + 0.5 * (base - finalValue) * (1 + Math.cos(Math.PI * progress));
  }

  private static void requireFinite(double value, String what) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(what + " must be finite, got " + value);
    }
  }
}
