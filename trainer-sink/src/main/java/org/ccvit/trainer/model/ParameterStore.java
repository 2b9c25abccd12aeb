/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The model's state under the original PyTorch state_dict names, in state_dict order: trainable
 * float32 parameters (gradients attached) and fixed buffers. All arrays live on one long-lived
 * manager owned by the store, so per-step scopes never free them.
 */
public final class ParameterStore implements AutoCloseable {
  private final NDManager manager;
  private final Map<String, NDArray> parameters = new LinkedHashMap<>();
  private final Map<String, NDArray> buffers = new LinkedHashMap<>();

  /** Allocates every parameter as zeros with gradients enabled. */
  public ParameterStore(NDManager parent, Map<String, Shape> parameterShapes) {
    this.manager = parent.newSubManager();
    parameterShapes.forEach(
        (name, shape) -> {
          NDArray array = manager.zeros(shape, DataType.FLOAT32);
          array.setName(name);
          array.setRequiresGradient(true);
          parameters.put(name, array);
        });
  }

  /** Adds a non-trainable buffer (copied onto the store's manager). */
  public void addBuffer(String name, NDArray value) {
    if (parameters.containsKey(name) || buffers.containsKey(name)) {
      throw new IllegalArgumentException("duplicate state name " + name);
    }
    NDArray copy = value.duplicate();
    copy.attach(manager);
    copy.setName(name);
    buffers.put(name, copy);
  }

  /** Trainable parameters by original name, state_dict order. */
  public Map<String, NDArray> parameters() {
    return Collections.unmodifiableMap(parameters);
  }

  /** Buffers (not trained) by original name. */
  public Map<String, NDArray> buffers() {
    return Collections.unmodifiableMap(buffers);
  }

  /** A parameter or buffer by original name. */
  public NDArray get(String name) {
    NDArray array = parameters.get(name);
    if (array == null) {
      array = buffers.get(name);
    }
    if (array == null) {
      throw new IllegalArgumentException("no parameter or buffer named " + name);
    }
    return array;
  }

  /** Overwrites a parameter's values in place (its gradient link is kept). */
  public void assign(String name, float[] values) {
    NDArray target = parameters.get(name);
    if (target == null) {
      throw new IllegalArgumentException("no parameter named " + name);
    }
    if (values.length != target.size()) {
      throw new IllegalArgumentException(
          name
              + " has "
              + target.size()
              + " values "
              + target.getShape()
              + ", got "
              + values.length);
    }
    target.set(values);
  }

  /** Overwrites a parameter or buffer with an array of the same shape and type. */
  public void assign(String name, NDArray values) {
    NDArray target = get(name);
    if (!target.getShape().equals(values.getShape())
        || target.getDataType() != values.getDataType()) {
      throw new IllegalArgumentException(
          name
              + " is "
              + target.getDataType()
              + target.getShape()
              + ", got "
              + values.getDataType()
              + values.getShape());
    }
    target.set(values.toByteBuffer());
  }

  /**
   * The current gradient of every parameter, by name, after a backward pass. The arrays alias the
   * gradient storage (in-place changes, e.g. clipping, reach it); the caller closes them.
   */
  public Map<String, NDArray> gradients() {
    Map<String, NDArray> gradients = new LinkedHashMap<>();
    parameters.forEach((name, p) -> gradients.put(name, p.getGradient()));
    return gradients;
  }

  /**
   * Drops every accumulated gradient (PyTorch adds each backward pass onto the last): the next
   * backward pass's gradients become the parameters' gradients as they are, where zeroed gradients
   * would cost a pass to zero them and a pass adding onto them, each over every parameter.
   */
  public void dropGradients() {
    // A parameter's gradient belongs to its native tensor: the same Java array (its name, its
    // place here, the Java memory it may hold) takes a new tensor over the same storage.
    parameters
        .values()
        .forEach(
            p -> {
              NDArray fresh = p.stopGradient();
              fresh.setRequiresGradient(true);
              ((PtNDArray) p).intern(fresh);
            });
  }

  /** Total number of trainable values. */
  public long parameterCount() {
    return parameters.values().stream().mapToLong(NDArray::size).sum();
  }

  public NDManager manager() {
    return manager;
  }

  @Override
  public void close() {
    manager.close();
  }
}
