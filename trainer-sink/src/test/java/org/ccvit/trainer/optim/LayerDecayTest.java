/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayerDecayTest {

  @Test
  void layerIdsOfATwoBlockModel() {
    assertEquals(0, LayerDecay.layerId("mask_token", 4));
    assertEquals(0, LayerDecay.layerId("patch_embed.proj.weight", 4));
    assertEquals(3, LayerDecay.layerId("rel_pos_bias.relative_position_bias_table", 4));
    assertEquals(2, LayerDecay.layerId("blocks.1.attn.qkv.weight", 4));
    assertEquals(3, LayerDecay.layerId("head.weight", 4));
    Map<String, Double> scales =
        LayerDecay.scales(List.of("cls_token", "blocks.0.gamma_1", "fc_norm.bias"), 2, 0.5);
    assertEquals(Map.of("cls_token", 0.125, "blocks.0.gamma_1", 0.25, "fc_norm.bias", 1.0), scales);
  }

  @Test
  void malformedOrOutOfRangeBlocksAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> LayerDecay.layerId("blocks.x.w", 4));
    assertThrows(IllegalArgumentException.class, () -> LayerDecay.layerId("blocks.2.w", 4));
    assertThrows(
        IllegalArgumentException.class, () -> LayerDecay.scales(List.of("head.weight"), 2, 0));
  }
}
