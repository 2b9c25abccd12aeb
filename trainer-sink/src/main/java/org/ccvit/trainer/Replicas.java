/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ccvit.trainer.model.CcvitConfig;
import org.ccvit.trainer.model.CcvitModel;
import org.ccvit.trainer.model.ParameterStore;

/**
 * One model per device for data-parallel steps: replica 0 is the trainer's own (its parameters
 * carry the optimizer state); the others hold copies of its parameters on their devices. A batch is
 * split across the replicas, each accumulates the gradients of its part, the others' gradients are
 * summed onto replica 0, which takes the optimizer step, and its parameters are then copied to the
 * others.
 */
final class Replicas implements AutoCloseable {
  private final List<NDManager> managers = new ArrayList<>();
  private final List<ParameterStore> stores = new ArrayList<>();
  private final List<CcvitModel> models = new ArrayList<>();

  /**
   * @param first the trainer's own parameters, on {@code devices.get(0)}
   * @param firstManager the manager the trainer creates replica 0's inputs on
   */
  Replicas(CcvitConfig config, ParameterStore first, NDManager firstManager, List<Device> devices) {
    if (devices.isEmpty()) {
      throw new IllegalArgumentException("at least one device is needed");
    }
    managers.add(firstManager);
    stores.add(first);
    models.add(new CcvitModel(config, first));
    try {
      for (Device device : devices.subList(1, devices.size())) {
        NDManager manager = NDManager.newBaseManager(device);
        managers.add(manager);
        ParameterStore store = CcvitModel.newParameters(config, manager);
        stores.add(store);
        models.add(new CcvitModel(config, store));
      }
      broadcast();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  int count() {
    return models.size();
  }

  CcvitModel model(int replica) {
    return models.get(replica);
  }

  NDManager manager(int replica) {
    return managers.get(replica);
  }

  /**
   * Consecutive parts of near-equal size (they differ by at most one), one per replica; fewer when
   * the batch has fewer items than there are replicas.
   */
  static <T> List<List<T>> split(List<T> batch, int replicas) {
    if (replicas <= 0) {
      throw new IllegalArgumentException("replicas must be positive, got " + replicas);
    }
    int parts = Math.min(replicas, batch.size());
    List<List<T>> out = new ArrayList<>();
    for (int i = 0; i < parts; i++) {
      out.add(batch.subList(batch.size() * i / parts, batch.size() * (i + 1) / parts));
    }
    return out;
  }

  /** Adds every other replica's gradients onto replica 0's, and zeroes theirs. */
  void sumGradientsOntoFirst() {
    if (count() == 1) {
      return;
    }
    Map<String, NDArray> sums = stores.get(0).gradients();
    try {
      for (ParameterStore store : stores.subList(1, count())) {
        Map<String, NDArray> grads = store.gradients();
        try {
          grads.forEach(
              (name, grad) -> {
                NDArray sum = sums.get(name);
                try (NDArray moved = grad.toDevice(sum.getDevice(), true)) {
                  sum.addi(moved);
                }
              });
        } finally {
          grads.values().forEach(NDArray::close);
        }
        store.dropGradients();
      }
    } finally {
      sums.values().forEach(NDArray::close);
    }
  }

  /** Copies replica 0's parameters to every other replica (after a step, or a load). */
  void broadcast() {
    for (ParameterStore store : stores.subList(1, count())) {
      stores.get(0).parameters().forEach((name, values) -> store.assign(name, values));
    }
  }

  /** Releases the replicas other than the trainer's own. */
  @Override
  public void close() {
    for (int i = 1; i < stores.size(); i++) {
      stores.get(i).close();
    }
    for (int i = 1; i < managers.size(); i++) {
      managers.get(i).close();
    }
  }
}
