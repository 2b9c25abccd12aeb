/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * torch.optim.AdamW as torch 1.13 computes it, with the original per-parameter rules: weight decay
 * only where {@link DecayRule} says so, and an optional learning-rate scale per parameter (layer
 * decay). Parameters are updated in place, outside autograd, so the same parameter arrays keep
 * collecting gradients on the next step.
 *
 * <p>One step, with t the step number and g the (clipped) gradient:
 *
 * <pre>
 * p *= 1 - lr*wd;  m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2
 * p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)
 * </pre>
 *
 * <p>The moment arrays live in a manager this optimizer owns; {@link #close()} releases them. Not
 * thread-safe.
 */
public final class AdamW implements AutoCloseable {

  private static final String EXP_AVG = "exp_avg.";
  private static final String EXP_AVG_SQ = "exp_avg_sq.";

  private final double beta1;
  private final double beta2;
  private final double eps;
  private final NDManager manager;
  private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
  private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
  private Map<String, Double> lrScales = Map.of();
  private long stepCount;

  /** An optimizer whose state lives in a new base manager of the default engine. */
  public AdamW(double beta1, double beta2, double eps) {
    this(NDManager.newBaseManager(), beta1, beta2, eps);
  }

  /** An optimizer whose state lives in a new sub-manager of {@code parent}. */
  public AdamW(double beta1, double beta2, double eps, NDManager parent) {
    this(Objects.requireNonNull(parent, "parent manager").newSubManager(), beta1, beta2, eps);
  }

  private AdamW(NDManager ownManager, double beta1, double beta2, double eps) {
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0)) {
      ownManager.close();
      throw new IllegalArgumentException(
          "expected 0 <= beta1, beta2 < 1 and eps > 0, got beta1="
              + beta1
              + ", beta2="
              + beta2
              + ", eps="
              + eps);
    }
    this.manager = ownManager;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
  }

  /**
   * Per-parameter learning-rate multipliers (e.g. {@link LayerDecay#scales}); parameters not in the
   * map use 1. Replaces any earlier scales.
   */
  public void setLrScales(Map<String, Double> scales) {
    Map<String, Double> copy = new LinkedHashMap<>();
    scales.forEach(
        (name, scale) -> {
          if (scale == null || !Double.isFinite(scale) || scale < 0) {
            throw new IllegalArgumentException(
                "lr scale of " + name + " must be a finite number >= 0, got " + scale);
          }
          copy.put(name, scale);
        });
    lrScales = copy;
  }

  /**
   * One AdamW step over every parameter, in place.
   *
   * @param params parameters by original name; their arrays are updated in place
   * @param grads gradient of every parameter, by the same names (clip them first if wanted)
   * @param lr base learning rate of this step (multiplied by the parameter's lr scale)
   * @param weightDecay weight decay of this step, applied only to decayed parameters
   */
  public void step(
      Map<String, NDArray> params, Map<String, NDArray> grads, double lr, double weightDecay) {
    if (!(Double.isFinite(lr) && lr >= 0) || !(Double.isFinite(weightDecay) && weightDecay >= 0)) {
      throw new IllegalArgumentException(
          "expected finite lr >= 0 and weightDecay >= 0, got lr=" + lr + ", wd=" + weightDecay);
    }
    validate(params, grads);
    long t = stepCount + 1;
    double biasCorrection1 = 1 - Math.pow(beta1, t);
    double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
    for (Map.Entry<String, NDArray> entry : params.entrySet()) {
      String name = entry.getKey();
      NDArray param = entry.getValue();
      double paramLr = lr * lrScales.getOrDefault(name, 1.0);
      double paramWd = DecayRule.decays(name, param.getShape()) ? weightDecay : 0;
      NDArray m = expAvg.computeIfAbsent(name, k -> newStateArray(EXP_AVG + k, param));
      NDArray v = expAvgSq.computeIfAbsent(name, k -> newStateArray(EXP_AVG_SQ + k, param));
      update(param, grads.get(name), m, v, paramLr, paramWd, biasCorrection1, biasCorrection2Sqrt);
    }
    stepCount = t;
  }

  private void update(
      NDArray param,
      NDArray grad,
      NDArray expAvgArray,
      NDArray expAvgSqArray,
      double lr,
      double weightDecay,
      double biasCorrection1,
      double biasCorrection2Sqrt) {
    // Scalars are rounded to float32 as torch does for Python scalars on float32 tensors.
    try (NDManager scratch = manager.newSubManager(param.getDevice())) {
      // Detached aliases: in-place ops on them write the real storage without autograd, and every
      // temporary derived from them is owned by scratch and freed with it.
      NDArray p = alias(param, scratch);
      NDArray g = alias(grad, scratch);
      NDArray m = alias(expAvgArray, scratch);
      NDArray v = alias(expAvgSqArray, scratch);
      if (weightDecay != 0) {
        p.muli((float) (1 - lr * weightDecay));
      }
      m.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
      v.muli((float) beta2).addi(g.mul(g).muli((float) (1 - beta2)));
      NDArray denom = v.sqrt().divi((float) biasCorrection2Sqrt).addi((float) eps);
      p.subi(m.div(denom).muli((float) (lr / biasCorrection1)));
    }
  }

  private static NDArray alias(NDArray array, NDManager owner) {
    NDArray alias = array.stopGradient();
    alias.attach(owner);
    return alias;
  }

  private NDArray newStateArray(String key, NDArray param) {
    NDArray zeros = manager.zeros(param.getShape(), param.getDataType(), param.getDevice());
    zeros.setName(key);
    // Survive an NDScope the caller may have opened around the step.
    NDScope.unregister(zeros);
    return zeros;
  }

  /** Checks everything before any array is touched, so a rejected step changes nothing. */
  private void validate(Map<String, NDArray> params, Map<String, NDArray> grads) {
    for (String name : grads.keySet()) {
      if (!params.containsKey(name)) {
        throw new IllegalArgumentException("gradient given for unknown parameter " + name);
      }
    }
    for (Map.Entry<String, NDArray> entry : params.entrySet()) {
      String name = entry.getKey();
      Shape shape = entry.getValue().getShape();
      NDArray grad = grads.get(name);
      if (grad == null) {
        throw new IllegalArgumentException("no gradient for parameter " + name);
      }
      requireShape("gradient of " + name, grad.getShape(), shape);
      NDArray m = expAvg.get(name);
      if (m == null && stepCount > 0) {
        throw new IllegalStateException(
            "no AdamW state for parameter "
                + name
                + " after "
                + stepCount
                + " steps; the loaded state must cover every parameter");
      }
      if (m != null) {
        requireShape(EXP_AVG + name, m.getShape(), shape);
        requireShape(EXP_AVG_SQ + name, expAvgSq.get(name).getShape(), shape);
      }
    }
  }

  private static void requireShape(String what, Shape actual, Shape expected) {
    if (!actual.equals(expected)) {
      throw new IllegalArgumentException(
          what + " has shape " + actual + ", expected the parameter's shape " + expected);
    }
  }

  /** Number of steps taken (the t of the bias corrections is stepCount + 1 in the next step). */
  public long stepCount() {
    return stepCount;
  }

  /**
   * The moments by torch's names, "exp_avg.&lt;param&gt;" and "exp_avg_sq.&lt;param&gt;". These are
   * the optimizer's live arrays: read or encode them, do not close or modify them.
   */
  public Map<String, NDArray> state() {
    Map<String, NDArray> state = new LinkedHashMap<>();
    for (String name : expAvg.keySet()) {
      state.put(EXP_AVG + name, expAvg.get(name));
      state.put(EXP_AVG_SQ + name, expAvgSq.get(name));
    }
    return Collections.unmodifiableMap(state);
  }

  /**
   * Replaces the state with copies of the given moments (named as {@link #state()} names them) and
   * the step count they belong to.
   */
  public void loadState(Map<String, NDArray> state, long stepCount) {
    if (stepCount < 0) {
      throw new IllegalArgumentException("stepCount must be >= 0, got " + stepCount);
    }
    Map<String, NDArray> avg = new LinkedHashMap<>();
    Map<String, NDArray> avgSq = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> entry : state.entrySet()) {
      String key = entry.getKey();
      if (key.startsWith(EXP_AVG_SQ)) {
        avgSq.put(key.substring(EXP_AVG_SQ.length()), entry.getValue());
      } else if (key.startsWith(EXP_AVG)) {
        avg.put(key.substring(EXP_AVG.length()), entry.getValue());
      } else {
        throw new IllegalArgumentException(
            "unexpected AdamW state entry '"
                + key
                + "'; expected exp_avg.<param> or exp_avg_sq.<param>");
      }
    }
    if (!avg.keySet().equals(avgSq.keySet())) {
      throw new IllegalArgumentException(
          "exp_avg and exp_avg_sq must name the same parameters, got "
              + avg.keySet()
              + " and "
              + avgSq.keySet());
    }
    for (String name : avg.keySet()) {
      requireShape(EXP_AVG_SQ + name, avgSq.get(name).getShape(), avg.get(name).getShape());
    }
    // Copy before releasing the old arrays: the given state may be this optimizer's own.
    Map<String, NDArray> avgCopies = new LinkedHashMap<>();
    Map<String, NDArray> avgSqCopies = new LinkedHashMap<>();
    for (String name : avg.keySet()) {
      avgCopies.put(name, ownedCopy(EXP_AVG + name, avg.get(name)));
      avgSqCopies.put(name, ownedCopy(EXP_AVG_SQ + name, avgSq.get(name)));
    }
    clearState();
    expAvg.putAll(avgCopies);
    expAvgSq.putAll(avgSqCopies);
    this.stepCount = stepCount;
  }

  private NDArray ownedCopy(String key, NDArray array) {
    NDArray copy = array.duplicate();
    copy.attach(manager);
    copy.setName(key);
    NDScope.unregister(copy);
    return copy;
  }

  private void clearState() {
    expAvg.values().forEach(NDArray::close);
    expAvgSq.values().forEach(NDArray::close);
    expAvg.clear();
    expAvgSq.clear();
  }

  /** Releases the state arrays. */
  @Override
  public void close() {
    clearState();
    manager.close();
  }
}
