/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.optim;

import ai.djl.ndarray.types.Shape;
import java.util.Objects;
import java.util.Set;

/**
 * Which parameters get weight decay, as the original optim_factory decides it: none for tensors
 * with at most one dimension, for biases, and for the names the model lists in no_weight_decay()
 * (cls_token, pos_embed). The mask token and the relative-position-bias table are decayed.
 */
public final class DecayRule {

  /** The original models' no_weight_decay() set; matched against the whole name. */
  private static final Set<String> SKIP_LIST = Set.of("cls_token", "pos_embed");

  private DecayRule() {}

  /** Whether the parameter with this original PyTorch name and shape is weight-decayed. */
  public static boolean decays(String name, Shape shape) {
    Objects.requireNonNull(name, "parameter name");
    Objects.requireNonNull(shape, "shape of parameter " + name);
    return shape.dimension() > 1 && !name.endsWith(".bias") && !SKIP_LIST.contains(name);
  }
}
