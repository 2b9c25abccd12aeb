/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.masking;

import java.util.SplittableRandom;

/**
 * Blockwise masking as BEiT v2's {@code masking_generator.py} (used by CCViT) does it, with a
 * seeded stream instead of Python's global generators: rectangles of random area and log-uniform
 * aspect ratio are added until {@code numMasked} patches are masked or a block finds no place in 10
 * attempts; the remainder is then masked at uniformly random free positions, so the count is always
 * exact.
 */
public final class BlockMaskGenerator {
  private static final int ATTEMPTS_PER_BLOCK = 10;

  /** Receives every accepted block (for statistics). */
  interface BlockObserver {
    void accepted(int top, int left, int height, int width, int newCells);
  }

  private final int gridHeight;
  private final int gridWidth;
  private final int numMasked;
  private final int minPatches;
  private final int maxPatches;
  private final double logMinAspect;
  private final double logMaxAspect;

  /**
   * @param maxPatches largest block area; {@code <= 0} means {@code numMasked} (the original's
   *     {@code max_num_patches=None})
   * @param minAspect smallest aspect ratio h/w, in (0, 1]; the largest is its inverse
   */
  public BlockMaskGenerator(
      int gridHeight,
      int gridWidth,
      int numMasked,
      int minPatches,
      int maxPatches,
      double minAspect) {
    if (gridHeight < 1 || gridWidth < 1) {
      throw new IllegalArgumentException(
          "grid must be at least 1x1, got " + gridHeight + "x" + gridWidth);
    }
    if (numMasked < 0 || numMasked > gridHeight * gridWidth) {
      throw new IllegalArgumentException(
          "numMasked "
              + numMasked
              + " must be in [0, "
              + gridHeight * gridWidth
              + "] for a "
              + gridHeight
              + "x"
              + gridWidth
              + " grid");
    }
    if (minPatches < 1) {
      throw new IllegalArgumentException("minPatches must be >= 1, got " + minPatches);
    }
    if (!(minAspect > 0 && minAspect <= 1)) {
      throw new IllegalArgumentException("minAspect must be in (0, 1], got " + minAspect);
    }
    this.gridHeight = gridHeight;
    this.gridWidth = gridWidth;
    this.numMasked = numMasked;
    this.minPatches = minPatches;
    this.maxPatches = maxPatches <= 0 ? numMasked : maxPatches;
    this.logMinAspect = Math.log(minAspect);
    this.logMaxAspect = Math.log(1 / minAspect);
  }

  /**
   * The original setting (75 of 14x14 masked, blocks of at least 16, aspect 0.3) for a square grid.
   * Other grids keep the ratios, rounded down as the golden 8x8 case does (24 masked, blocks of at
   * least 5); the smallest block is at least 1 patch.
   */
  public static BlockMaskGenerator original(int grid) {
    int cells = grid * grid;
    return new BlockMaskGenerator(
        grid, grid, 75 * cells / 196, Math.max(1, 16 * cells / 196), 0, 0.3);
  }

  public int gridHeight() {
    return gridHeight;
  }

  public int gridWidth() {
    return gridWidth;
  }

  public int numMasked() {
    return numMasked;
  }

  /** A mask over the row-major grid with exactly {@link #numMasked()} true entries. */
  public boolean[] generate(SplittableRandom rng) {
    return generate(rng, (top, left, height, width, newCells) -> {});
  }

  boolean[] generate(SplittableRandom rng, BlockObserver observer) {
    boolean[] mask = new boolean[gridHeight * gridWidth];
    int count = 0;
    while (count < numMasked) {
      int added = addBlock(mask, Math.min(numMasked - count, maxPatches), rng, observer);
      if (added == 0) {
        break;
      }
      count += added;
    }
    fillRandomly(mask, numMasked - count, rng);
    return mask;
  }

  /** One block: up to 10 placements; returns the number of newly masked cells (0 = failed). */
  private int addBlock(boolean[] mask, int maxNew, SplittableRandom rng, BlockObserver observer) {
    for (int attempt = 0; attempt < ATTEMPTS_PER_BLOCK; attempt++) {
      // uniform(min, max) as Python computes it, also when max < min (few patches remain)
      double area = minPatches + (maxNew - minPatches) * rng.nextDouble();
      double aspect = Math.exp(logMinAspect + (logMaxAspect - logMinAspect) * rng.nextDouble());
      // Python's round() rounds halves to even, as Math.rint does
      int h = (int) Math.rint(Math.sqrt(area * aspect));
      int w = (int) Math.rint(Math.sqrt(area / aspect));
      if (w < gridWidth && h < gridHeight) {
        int top = rng.nextInt(gridHeight - h + 1);
        int left = rng.nextInt(gridWidth - w + 1);
        int alreadyMasked = 0;
        for (int y = top; y < top + h; y++) {
          for (int x = left; x < left + w; x++) {
            alreadyMasked += mask[y * gridWidth + x] ? 1 : 0;
          }
        }
        int added = h * w - alreadyMasked;
        if (added > 0 && added <= maxNew) {
          for (int y = top; y < top + h; y++) {
            for (int x = left; x < left + w; x++) {
              mask[y * gridWidth + x] = true;
            }
          }
          observer.accepted(top, left, h, w, added);
          return added;
        }
      }
    }
    return 0;
  }

  /** Masks {@code count} free cells chosen uniformly (a partial Fisher-Yates shuffle). */
  private static void fillRandomly(boolean[] mask, int count, SplittableRandom rng) {
    if (count <= 0) {
      return;
    }
    int[] free = new int[mask.length];
    int n = 0;
    for (int i = 0; i < mask.length; i++) {
      if (!mask[i]) {
        free[n++] = i;
      }
    }
    for (int i = 0; i < count; i++) {
      int j = i + rng.nextInt(n - i);
      int chosen = free[j];
      free[j] = free[i];
      mask[chosen] = true;
    }
  }
}
