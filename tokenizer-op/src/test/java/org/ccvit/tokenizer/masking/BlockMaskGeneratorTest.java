/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.masking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.ccvit.tokenizer.SharedData;
import org.ccvit.tokenizer.npy.Npy;
import org.ccvit.tokenizer.npy.NpyArray;
import org.ccvit.tokenizer.random.SampleRandom;
import org.ccvit.tokenizer.random.SampleRandom.Purpose;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class BlockMaskGeneratorTest {

  /** The original generator's setting and its output, as a golden case's manifest states them. */
  private record GoldenMasks(
      String name,
      Path dir,
      int gridHeight,
      int gridWidth,
      int numMasked,
      int numReplaced,
      BlockMaskGenerator generator) {

    static GoldenMasks open(Path dir) {
      JsonNode config = SharedData.manifest(dir).get("config");
      JsonNode args = config.get("MaskingGenerator_args");
      int h = args.get("input_size").get(0).asInt();
      int w = args.get("input_size").get(1).asInt();
      int masked = args.get("num_masking_patches").asInt();
      JsonNode max = args.get("max_num_patches");
      return new GoldenMasks(
          dir.getFileName().toString(),
          dir,
          h,
          w,
          masked,
          config.get("num_replaced_patches").asInt(),
          new BlockMaskGenerator(
              h,
              w,
              masked,
              args.get("min_num_patches").asInt(),
              max == null || max.isNull() ? 0 : max.asInt(),
              args.get("min_aspect").asDouble()));
    }

    int cells() {
      return gridHeight * gridWidth;
    }
  }

  @TestFactory
  Stream<DynamicTest> distributionMatchesTheOriginalGenerator() {
    return SharedData.goldenCasesWith("masked.npy", "replaced.npy", "fill_count.npy", "blocks.npy")
        .stream()
        .map(GoldenMasks::open)
        .map(g -> DynamicTest.dynamicTest(g.name(), () -> compare(g)));
  }

  private static void compare(GoldenMasks setting) {
    MaskStatistics golden = goldenStatistics(setting);
    MaskStatistics ours = generatedStatistics(setting, golden.masks);

    // Tolerances are about 4 standard errors of the difference of two 10,000-mask samples.
    double maxFreqDiff = 0;
    double maxReplacedDiff = 0;
    for (int i = 0; i < setting.cells(); i++) {
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
        "masking stats %s golden/ours: maxFreqDiff %.4f maxReplacedDiff %.4f blocks %.4f/%.4f"
            + " newCells %.3f/%.3f fill %.4f/%.4f comp4 %.4f/%.4f TV %.4f%n",
        setting.name(),
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
    // the spec: in the original 14x14 setting, 46% of the blocks cover fewer than 16 patches
    assertEquals(
        smallBlockShare(golden), smallBlockShare(ours), 0.03, "share of blocks under 16 patches");
  }

  private static double smallBlockShare(MaskStatistics stats) {
    double share = 0;
    for (int a = 1; a < 16; a++) {
      share += stats.blockAreaHistogram[a];
    }
    return share;
  }

  private static MaskStatistics goldenStatistics(GoldenMasks setting) {
    Path dir = setting.dir();
    int cells = setting.cells();
    int[] masked = Npy.read(dir.resolve("masked.npy")).toInts();
    int[] replaced = Npy.read(dir.resolve("replaced.npy")).toInts();
    int[] fill = Npy.read(dir.resolve("fill_count.npy")).toInts();
    NpyArray blockArray = Npy.read(dir.resolve("blocks.npy")); // [n, 8]: h, w, new cells at 3-5
    int columns = blockArray.shape()[1];
    int[] blocks = blockArray.toInts();
    MaskStatistics stats = new MaskStatistics(setting.gridHeight(), setting.gridWidth());
    for (int b = 0; b < blocks.length / columns; b++) {
      stats.addBlock(blocks[b * columns + 3], blocks[b * columns + 4], blocks[b * columns + 5]);
    }
    for (int m = 0; m < masked.length / cells; m++) {
      boolean[] mask = new boolean[cells];
      boolean[] rep = new boolean[cells];
      for (int i = 0; i < cells; i++) {
        mask[i] = masked[m * cells + i] != 0;
        rep[i] = replaced[m * cells + i] != 0;
      }
      stats.addMask(mask, rep, setting.numMasked() - fill[m]);
    }
    stats.finish();
    return stats;
  }

  private static MaskStatistics generatedStatistics(GoldenMasks setting, int masks) {
    BlockMaskGenerator generator = setting.generator();
    MaskStatistics stats = new MaskStatistics(setting.gridHeight(), setting.gridWidth());
    for (int m = 0; m < masks; m++) {
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
              setting.numReplaced(),
              SampleRandom.of(11, key, 0, Purpose.MASK),
              SampleRandom.of(11, key, 0, Purpose.REPLACE));
      stats.addMask(
          toMask(plan.masked(), setting.cells()),
          toMask(plan.replaced(), setting.cells()),
          blockCells[0]);
    }
    stats.finish();
    return stats;
  }

  private static boolean[] toMask(int[] positions, int cells) {
    boolean[] mask = new boolean[cells];
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
