/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SeededDrawsTest {

  @Test
  void aDrawDependsOnlyOnSeedAndNumber() {
    for (long draw = 0; draw < 100; draw++) {
      assertEquals(SeededDraws.uniform(4, draw, 1000), SeededDraws.uniform(4, draw, 1000));
      int value = SeededDraws.uniform(4, draw, 7);
      assertTrue(value >= 0 && value < 7, "in range: " + value);
    }
  }

  @Test
  void shuffleIsASeededPermutation() {
    List<Integer> a = new ArrayList<>(IntStream.range(0, 500).boxed().toList());
    List<Integer> b = new ArrayList<>(a);
    List<Integer> c = new ArrayList<>(a);
    SeededDraws.shuffle(a, 11);
    SeededDraws.shuffle(b, 11);
    SeededDraws.shuffle(c, SeededDraws.derive(11, 1));
    assertEquals(a, b);
    assertNotEquals(a, c, "a derived seed gives another order");
    assertEquals(500, new HashSet<>(a).size());
    assertNotEquals(IntStream.range(0, 500).boxed().toList(), a);
  }

  /**
   * Neighbouring seeds must not give related sequences: the first draws of 2000 consecutive seeds,
   * in 10 bins, pass Pearson's chi-square test at significance 0.001 (critical value 27.877 for 9
   * degrees of freedom).
   */
  @Test
  void consecutiveSeedsGiveUniformFirstDraws() {
    long[] counts = new long[10];
    for (long seed = 0; seed < 2000; seed++) {
      counts[SeededDraws.uniform(seed, 0, 10)]++;
    }
    double chiSquare = 0;
    for (long c : counts) {
      chiSquare += (c - 200.0) * (c - 200.0) / 200.0;
    }
    assertTrue(chiSquare < 27.877, "chi-square " + chiSquare);
  }
}
