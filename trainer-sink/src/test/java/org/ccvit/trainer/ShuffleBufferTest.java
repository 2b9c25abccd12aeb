/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ShuffleBufferTest {

  /** What {@code buffer} releases for items [from, to), then what it drains. */
  private static List<Integer> run(ShuffleBuffer<Integer> buffer, int from, int to) {
    List<Integer> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      Integer released = buffer.offer(i);
      if (released != null) {
        out.add(released);
      }
    }
    return out;
  }

  @Test
  void capacityZeroKeepsArrivalOrder() {
    ShuffleBuffer<Integer> buffer = new ShuffleBuffer<>(0, 5);
    assertEquals(IntStream.range(0, 20).boxed().toList(), run(buffer, 0, 20));
    assertTrue(buffer.isEmpty());
  }

  @Test
  void holdsCapacityItemsThenReleasesOnePerArrivalAndDrainsEveryItemOnce() {
    ShuffleBuffer<Integer> buffer = new ShuffleBuffer<>(8, 5);
    for (int i = 0; i < 8; i++) {
      assertNull(buffer.offer(i), "filling");
    }
    List<Integer> out = run(buffer, 8, 100);
    assertEquals(92, out.size());
    assertEquals(8, buffer.size());
    out.addAll(buffer.drain());
    assertTrue(buffer.isEmpty());
    assertEquals(100, new HashSet<>(out).size(), "every item exactly once");
    assertEquals(100, buffer.draws());
    assertTrue(!out.equals(IntStream.range(0, 100).boxed().toList()), "not in arrival order");
  }

  @Test
  void theSameSeedGivesTheSameOrderAndAnotherSeedAnother() {
    List<Integer> a = run(new ShuffleBuffer<>(16, 1), 0, 200);
    assertEquals(a, run(new ShuffleBuffer<>(16, 1), 0, 200));
    assertTrue(!a.equals(run(new ShuffleBuffer<>(16, 2), 0, 200)));
  }

  @Test
  void aBufferRestoredFromItsContentsAndDrawCountContinuesAsTheUninterruptedOne() {
    ShuffleBuffer<Integer> uninterrupted = new ShuffleBuffer<>(16, 9);
    List<Integer> expected = run(uninterrupted, 0, 300);
    expected.addAll(uninterrupted.drain());

    ShuffleBuffer<Integer> first = new ShuffleBuffer<>(16, 9);
    List<Integer> actual = run(first, 0, 123);
    ShuffleBuffer<Integer> restored = new ShuffleBuffer<>(16, 9);
    restored.restore(first.contents(), first.draws());
    actual.addAll(run(restored, 123, 300));
    actual.addAll(restored.drain());
    assertEquals(expected, actual);
  }

  /**
   * A full buffer of c items releases, at the next arrival, each of the c + 1 candidates with
   * probability 1 / (c + 1). Over many seeds the counts must pass Pearson's chi-square test at
   * significance 0.001 (critical value of the chi-square distribution with c degrees of freedom).
   */
  @Test
  void eachReleaseIsAUniformDrawOverTheBufferAndTheNewcomer() {
    int capacity = 9;
    int trials = 20_000;
    long[] counts = new long[capacity + 1];
    for (int seed = 0; seed < trials; seed++) {
      ShuffleBuffer<Integer> buffer = new ShuffleBuffer<>(capacity, seed);
      counts[run(buffer, 0, capacity + 1).get(0)]++;
    }
    double expected = (double) trials / (capacity + 1);
    double chiSquare = 0;
    for (long c : counts) {
      chiSquare += (c - expected) * (c - expected) / expected;
    }
    double critical = 27.877; // chi-square, 9 degrees of freedom, upper 0.001 quantile
    assertTrue(chiSquare < critical, "chi-square " + chiSquare + " for counts " + List.of(counts));
  }
}
