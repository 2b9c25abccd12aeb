/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.ccvit.tokenizer.SharedData;
import org.junit.jupiter.api.Test;

class SeededReadOrderTest {

  /** Keys in the order read, those of shard images (which have labels) marked "shard:". */
  private static List<String> keys(SeededReadOrder order, List<Path> units, int pass)
      throws IOException {
    List<String> keys = new ArrayList<>();
    order.read(units, pass, r -> keys.add((r.getLabel() == null ? "" : "shard:") + r.getKey()));
    return keys;
  }

  @Test
  void everyPassIsItsOwnSeededPermutationOfTheImages() throws IOException {
    // A folder of files (one unit per image) and a shard (its records shuffled in memory).
    List<Path> units =
        ImageSources.expand(
            List.of(
                SharedData.dataset("photos/images"),
                SharedData.dataset("cifar10/test-00000.tar.gz")));
    SeededReadOrder order = new SeededReadOrder(3);
    List<String> first = keys(order, units, 0);
    List<String> second = keys(order, units, 1);
    assertEquals(35 + 10_000, first.size(), "the photos and the shard's images");
    assertEquals(first.size(), new HashSet<>(first).size(), "every image once");
    assertEquals(new HashSet<>(first), new HashSet<>(second), "the same images every pass");
    assertNotEquals(first, second, "each pass its own order");
    // Reordering units alone keeps a shard's images in one order: these were shuffled inside it.
    assertNotEquals(
        first.stream().filter(k -> k.startsWith("shard:")).limit(100).toList(),
        second.stream().filter(k -> k.startsWith("shard:")).limit(100).toList(),
        "the shard's images in another order");
  }

  @Test
  void theSameSeedGivesTheSameOrderAndAnotherSeedAnother() throws IOException {
    List<Path> photos = ImageSources.expand(List.of(SharedData.dataset("photos/images")));
    List<String> first = keys(new SeededReadOrder(3), photos, 0);
    assertNotEquals(first.stream().sorted().toList(), first, "not in the folder's sorted order");
    assertEquals(first, keys(new SeededReadOrder(3), photos, 0));
    assertNotEquals(first, keys(new SeededReadOrder(4), photos, 0));
  }
}
