/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.masking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.ccvit.tokenizer.GoldenFiles;
import org.ccvit.tokenizer.npy.Npy;
import org.ccvit.tokenizer.random.SampleRandom;
import org.ccvit.tokenizer.random.SampleRandom.Purpose;
import org.junit.jupiter.api.Test;

class BlockMaskGeneratorTest {
  private static final int MASKS = 10_000;

  @Test
  void distributionMatchesTheOriginalGenerator() {
    MaskStatistics golden = goldenStatistics(GoldenFiles.goldenCase("masking"));
    MaskStatistics ours = generatedStatistics();

    // Tolerances are about 4 standard errors of the difference of two 10,000-mask samples.
    double maxFreqDiff = 0;
    double maxReplacedDiff = 0;
    for (int i = 0; i < 196; i++) {
      maxFreqDiff =
          Math.max(maxFreqDiff, Math.abs(golden.maskedFrequency[i] - ours.maskedFrequency[i]));
      maxReplacedDiff =
          Math.max(
              maxReplacedDiff, Math.abs(golden.replacedFrequency[i] - ours.replacedFrequency[i]));
    }
    assertTrue(maxFreqDiff < 0.03, "per-position masked frequency differs by " + maxFreqDiff);
    assertTrue(
        correlation(golden.maskedFrequency, ours.maskedFrequency) > 0.995,
        "masked frequency correlation");
    assertTrue(
        maxReplacedDiff < 0.02, "per-position replaced frequency differs by " + maxReplacedDiff);

    assertEquals(golden.meanBlocks(), ours.meanBlocks(), 0.08, "blocks per mask");
    assertEquals(golden.meanBlockNewCells(), ours.meanBlockNewCells(), 0.5, "new cells per block");
    assertEquals(golden.fillFraction(), ours.fillFraction(), 0.03, "masks needing the fill");
    assertEquals(golden.meanComponents4(), ours.meanComponents4(), 0.05, "4-connected components");
    double totalVariation = 0;
    for (int a = 0; a < golden.blockAreaHistogram.length; a++) {
      totalVariation += Math.abs(golden.blockAreaHistogram[a] - ours.blockAreaHistogram[a]) / 2;
    }
    System.out.printf(
        "masking stats golden/ours: maxFreqDiff %.4f maxReplacedDiff %.4f blocks %.4f/%.4f"
            + " newCells %.3f/%.3f fill %.4f/%.4f comp4 %.4f/%.4f TV %.4f%n",
        maxFreqDiff,
        maxReplacedDiff,
        golden.meanBlocks(),
        ours.meanBlocks(),
        golden.meanBlockNewCells(),
        ours.meanBlockNewCells(),
        golden.fillFraction(),
        ours.fillFraction(),
        golden.meanComponents4(),
        ours.meanComponents4(),
        totalVariation);
    assertTrue(totalVariation < 0.04, "block area histogram total variation " + totalVariation);
    double smallBlocks = 0;
    for (int a = 1; a < 16; a++) {
      smallBlocks += ours.blockAreaHistogram[a];
    }
    // the spec: 46% of the original's blocks cover fewer than 16 patches
    assertEquals(0.46, smallBlocks, 0.03, "share of blocks under 16 patches");
  }

  private static MaskStatistics goldenStatistics(Path dir) {
    int[] masked = Npy.read(dir.resolve("masked.npy")).toInts();
    int[] replaced = Npy.read(dir.resolve("replaced.npy")).toInts();
    int[] fill = Npy.read(dir.resolve("fill_count.npy")).toInts();
    int[] blocks = Npy.read(dir.resolve("blocks.npy")).toInts(); // [n, 8]
    MaskStatistics stats = new MaskStatistics(14, 14);
    for (int b = 0; b < blocks.length / 8; b++) {
      stats.addBlock(blocks[b * 8 + 3], blocks[b * 8 + 4], blocks[b * 8 + 5]);
    }
    for (int m = 0; m < MASKS; m++) {
      boolean[] mask = new boolean[196];
      boolean[] rep = new boolean[196];
      for (int i = 0; i < 196; i++) {
        mask[i] = masked[m * 196 + i] != 0;
        rep[i] = replaced[m * 196 + i] != 0;
      }
      stats.addMask(mask, rep, 75 - fill[m]);
    }
    stats.finish();
    return stats;
  }

  private static MaskStatistics generatedStatistics() {
    BlockMaskGenerator generator = BlockMaskGenerator.original(14);
    MaskStatistics stats = new MaskStatistics(14, 14);
    for (int m = 0; m < MASKS; m++) {
      String key = "sample-" + m;
      // The plan's mask is the mask the observed generation gives: same seed, same stream.
      int[] blockCells = {0};
      generator.generate(
          SampleRandom.of(11, key, 0, Purpose.MASK),
          (top, left, h, w, newCells) -> {
            stats.addBlock(h, w, newCells);
            blockCells[0] += newCells;
          });
      CorruptionPlan plan =
          CorruptionPlan.draw(
              generator,
              20,
              SampleRandom.of(11, key, 0, Purpose.MASK),
              SampleRandom.of(11, key, 0, Purpose.REPLACE));
      stats.addMask(toMask(plan.masked()), toMask(plan.replaced()), blockCells[0]);
    }
    stats.finish();
    return stats;
  }

  private static boolean[] toMask(int[] positions) {
    boolean[] mask = new boolean[196];
    for (int p : positions) {
      mask[p] = true;
    }
    return mask;
  }

  @Test
  void countIsAlwaysExactForManyConfigurations() {
    int[][] configs = {
      {14, 14, 75, 16, 0},
      {8, 8, 24, 5, 0},
      {3, 5, 14, 4, 0},
      {6, 4, 1, 4, 0},
      {14, 14, 196, 16, 0},
      {14, 14, 0, 16, 0},
      {10, 12, 60, 4, 9}
    };
    SplittableRandom rng = new SplittableRandom(3);
    for (int[] c : configs) {
      BlockMaskGenerator g = new BlockMaskGenerator(c[0], c[1], c[2], c[3], c[4], 0.3);
      for (int i = 0; i < 300; i++) {
        boolean[] mask = g.generate(rng);
        assertEquals(c[0] * c[1], mask.length);
        int count = 0;
        for (boolean m : mask) {
          count += m ? 1 : 0;
        }
        assertEquals(c[2], count, Arrays.toString(c));
      }
    }
  }

  @Test
  void blocksRespectAreaAndGridLimits() {
    BlockMaskGenerator capped = new BlockMaskGenerator(10, 12, 60, 4, 9, 0.3);
    SplittableRandom rng = new SplittableRandom(9);
    for (int i = 0; i < 200; i++) {
      capped.generate(
          rng,
          (top, left, h, w, newCells) -> {
            assertTrue(top + h <= 10 && left + w <= 12);
            assertTrue(newCells >= 1 && newCells <= 9, "new cells " + newCells);
          });
    }
    // as in the original, a block is always strictly smaller than the grid in both directions
    BlockMaskGenerator original = BlockMaskGenerator.original(14);
    int[] largest = {0};
    for (int i = 0; i < 3000; i++) {
      original.generate(
          rng, (top, left, h, w, newCells) -> largest[0] = Math.max(largest[0], Math.max(h, w)));
    }
    assertEquals(13, largest[0]);
  }

  @Test
  void originalScalesToOtherGrids() {
    assertEquals(75, BlockMaskGenerator.original(14).numMasked());
    assertEquals(24, BlockMaskGenerator.original(8).numMasked()); // the golden tiny_a setting
    assertEquals(6, CorruptionPlan.originalReplacedCount(8));
    assertEquals(20, CorruptionPlan.originalReplacedCount(14));
  }

  @Test
  void sameStreamSameMask() {
    BlockMaskGenerator g = BlockMaskGenerator.original(14);
    assertTrue(
        Arrays.equals(
            g.generate(SampleRandom.of(1, "k", 0, Purpose.MASK)),
            g.generate(SampleRandom.of(1, "k", 0, Purpose.MASK))));
  }

  @Test
  void refusesImpossibleSettings() {
    assertThrows(IllegalArgumentException.class, () -> new BlockMaskGenerator(4, 4, 17, 4, 0, 0.3));
    assertThrows(IllegalArgumentException.class, () -> new BlockMaskGenerator(4, 4, 8, 0, 0, 0.3));
    assertThrows(IllegalArgumentException.class, () -> new BlockMaskGenerator(4, 4, 8, 4, 0, 1.5));
  }

  private static double correlation(double[] a, double[] b) {
    double ma = Arrays.stream(a).average().orElseThrow();
    double mb = Arrays.stream(b).average().orElseThrow();
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int i = 0; i < a.length; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) * (a[i] - ma);
      sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / Math.sqrt(saa * sbb);
  }
}
