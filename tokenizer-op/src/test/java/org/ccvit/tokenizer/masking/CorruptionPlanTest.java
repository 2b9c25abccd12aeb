/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.masking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ccvit.tokenizer.random.SampleRandom;
import org.ccvit.tokenizer.random.SampleRandom.Purpose;
import org.junit.jupiter.api.Test;

class CorruptionPlanTest {
  @Test
  void countsAreExactSortedAndDisjoint() {
    BlockMaskGenerator g = BlockMaskGenerator.original(14);
    int[] replacedFrequency = new int[196];
    int plans = 3000;
    for (int s = 0; s < plans; s++) {
      CorruptionPlan plan = draw(g, 20, "img-" + s);
      assertEquals(75, plan.masked().length);
      assertEquals(20, plan.replaced().length);
      boolean[] seen = new boolean[196];
      for (int p : plan.masked()) {
        seen[p] = true;
      }
      for (int r : plan.replaced()) {
        assertTrue(!seen[r], "replaced position " + r + " is masked");
        replacedFrequency[r]++;
      }
      for (int i = 1; i < 20; i++) {
        assertTrue(plan.replaced()[i - 1] < plan.replaced()[i]);
      }
    }
    // every position can be replaced: the choice covers all unmasked positions
    for (int f : replacedFrequency) {
      assertTrue(f > 0);
    }
  }

  @Test
  void replayableFromTheSeeds() {
    BlockMaskGenerator g = BlockMaskGenerator.original(8);
    assertEquals(draw(g, 6, "a"), draw(g, 6, "a"));
    assertNotEquals(draw(g, 6, "a"), draw(g, 6, "b"));
  }

  @Test
  void refusesTooManyReplacedAndOverlaps() {
    BlockMaskGenerator g = new BlockMaskGenerator(4, 4, 10, 2, 0, 0.3);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> draw(g, 7, "x"));
    assertTrue(e.getMessage().contains("[0, 6]"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new CorruptionPlan(new int[] {1, 2}, new int[] {2, 3}));
    assertThrows(
        IllegalArgumentException.class, () -> new CorruptionPlan(new int[] {2, 1}, new int[] {}));
  }

  private static CorruptionPlan draw(BlockMaskGenerator g, int replaced, String key) {
    return CorruptionPlan.draw(
        g,
        replaced,
        SampleRandom.of(5, key, 0, Purpose.MASK),
        SampleRandom.of(5, key, 0, Purpose.REPLACE));
  }
}
