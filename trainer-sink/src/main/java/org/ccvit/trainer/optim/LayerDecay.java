/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.optim;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fine-tuning layer-wise learning-rate decay of BEiT/CCViT: each parameter gets a layer id
 * (embeddings 0, block i at i+1, everything after the blocks at the top) and its learning rate is
 * scaled by decay^(top - layer id), so the head learns at the full rate.
 */
public final class LayerDecay {

  private LayerDecay() {}

  /**
   * BEiT's get_num_layer_for_vit.
   *
   * @param name original PyTorch parameter name
   * @param numLayers number of layer ids, depth + 2 (ids run from 0 to numLayers - 1)
   */
  public static int layerId(String name, int numLayers) {
    if (numLayers < 2) {
      throw new IllegalArgumentException("numLayers is depth + 2, so >= 2; got " + numLayers);
    }
    if (name.equals("cls_token") || name.equals("mask_token") || name.equals("pos_embed")) {
      return 0;
    }
    if (name.startsWith("patch_embed")) {
      return 0;
    }
    if (name.startsWith("rel_pos_bias")) {
      return numLayers - 1;
    }
    if (name.startsWith("blocks")) {
      String[] parts = name.split("\\.", 3);
      int id;
      try {
        id = Integer.parseInt(parts[1]) + 1;
      } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
        throw new IllegalArgumentException(
            "parameter '" + name + "' starts with 'blocks' but is not 'blocks.<index>...'", e);
      }
      if (id > numLayers - 2) {
        throw new IllegalArgumentException(
            "parameter '" + name + "' is in a block beyond depth " + (numLayers - 2));
      }
      return id;
    }
    return numLayers - 1;
  }

  /**
   * The learning-rate scale of every named parameter, decay^(depth + 1 - layerId), in the order of
   * the names.
   */
  public static Map<String, Double> scales(Collection<String> names, int depth, double decay) {
    if (depth < 0 || !(decay > 0 && decay <= 1)) {
      throw new IllegalArgumentException(
          "expected depth >= 0 and 0 < decay <= 1, got depth=" + depth + ", decay=" + decay);
    }
    int numLayers = depth + 2;
    Map<String, Double> scales = new LinkedHashMap<>();
    for (String name : names) {
      scales.put(name, Math.pow(decay, numLayers - 1 - layerId(name, numLayers)));
    }
    return scales;
  }
}
