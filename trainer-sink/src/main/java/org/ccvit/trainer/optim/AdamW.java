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
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

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

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  /** Parameters of at least this many values are updated on all cores. */
  private static final int PARALLEL_MIN = 1 << 18;

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
    // One pass over the four arrays' native storage, in Java with vector instructions: PyTorch's
    // per-operation updates made about 14 passes over each parameter and as many native calls.
    // Scalars are rounded to float32 as torch does for Python scalars on float32 tensors; the
    // vector and the scalar loop round alike, so results do not depend on where chunks start.
    ByteBuffer p = storage(param);
    ByteBuffer g = storage(grad);
    ByteBuffer m = storage(expAvgArray);
    ByteBuffer v = storage(expAvgSqArray);
    float decay = weightDecay != 0 ? (float) (1 - lr * weightDecay) : 1f;
    float b1 = (float) beta1;
    float oneMinusB1 = (float) (1 - beta1);
    float b2 = (float) beta2;
    float oneMinusB2 = (float) (1 - beta2);
    float correction2 = (float) biasCorrection2Sqrt;
    float epsilon = (float) eps;
    float stepSize = (float) (lr / biasCorrection1);
    int n = (int) param.size();
    // Large parameters in chunks on all cores (each element is independent of the others).
    int chunks = n < PARALLEL_MIN ? 1 : Runtime.getRuntime().availableProcessors();
    IntStream.range(0, chunks)
        .parallel()
        .forEach(
            chunk -> {
              int i = (int) ((long) n * chunk / chunks);
              int end = (int) ((long) n * (chunk + 1) / chunks);
              for (int upper = i + SPECIES.loopBound(end - i); i < upper; i += SPECIES.length()) {
                int at = i * Float.BYTES;
                FloatVector gi = FloatVector.fromByteBuffer(SPECIES, g, at, ORDER);
                FloatVector mi =
                    FloatVector.fromByteBuffer(SPECIES, m, at, ORDER)
                        .mul(b1)
                        .add(gi.mul(oneMinusB1));
                FloatVector vi =
                    FloatVector.fromByteBuffer(SPECIES, v, at, ORDER)
                        .mul(b2)
                        .add(gi.mul(oneMinusB2).mul(gi));
                FloatVector denom = vi.lanewise(VectorOperators.SQRT).div(correction2).add(epsilon);
                FloatVector.fromByteBuffer(SPECIES, p, at, ORDER)
                    .mul(decay)
                    .sub(mi.div(denom).mul(stepSize))
                    .intoByteBuffer(p, at, ORDER);
                mi.intoByteBuffer(m, at, ORDER);
                vi.intoByteBuffer(v, at, ORDER);
              }
              for (; i < end; i++) {
                int at = i * Float.BYTES;
                float gi = g.getFloat(at);
                float mi = m.getFloat(at) * b1 + gi * oneMinusB1;
                float vi = v.getFloat(at) * b2 + oneMinusB2 * gi * gi;
                float denom = (float) Math.sqrt(vi) / correction2 + epsilon;
                p.putFloat(at, p.getFloat(at) * decay - (mi / denom) * stepSize);
                m.putFloat(at, mi);
                v.putFloat(at, vi);
              }
            });
  }

  /**
   * A view of a contiguous CPU float32 array's native storage, in native byte order: writes change
   * the array itself, outside autograd.
   */
  private static ByteBuffer storage(NDArray array) {
    ByteBuffer bytes = JniUtils.getByteBuffer((PtNDArray) array, true);
    if (!bytes.isDirect() || bytes.capacity() != array.size() * Float.BYTES) {
      throw new IllegalStateException(
          "expected a contiguous float32 CPU array, got " + array.getDataType() + array.getShape());
    }
    return bytes.order(ORDER);
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
