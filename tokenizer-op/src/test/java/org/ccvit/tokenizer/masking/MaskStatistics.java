/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.masking;

import java.util.ArrayDeque;

/** Distribution statistics of many masks, computed the same way for golden and generated ones. */
final class MaskStatistics {
  final int cells;
  final double[] maskedFrequency;
  final double[] replacedFrequency;
  final double[] blockAreaHistogram = new double[200];
  int masks;
  long blocks;
  long blockNewCells;
  long masksWithFill;
  long components4;

  private final int gridWidth;

  MaskStatistics(int gridHeight, int gridWidth) {
    this.gridWidth = gridWidth;
    this.cells = gridHeight * gridWidth;
    this.maskedFrequency = new double[cells];
    this.replacedFrequency = new double[cells];
  }

  void addBlock(int height, int width, int newCells) {
    blocks++;
    blockNewCells += newCells;
    blockAreaHistogram[height * width]++;
  }

  void addMask(boolean[] masked, boolean[] replaced, int blockCells) {
    masks++;
    for (int i = 0; i < cells; i++) {
      maskedFrequency[i] += masked[i] ? 1 : 0;
      replacedFrequency[i] += replaced[i] ? 1 : 0;
    }
    int count = 0;
    for (boolean m : masked) {
      count += m ? 1 : 0;
    }
    masksWithFill += count > blockCells ? 1 : 0;
    components4 += components(masked);
  }

  /** Normalizes the sums into frequencies and means. */
  void finish() {
    for (int i = 0; i < cells; i++) {
      maskedFrequency[i] /= masks;
      replacedFrequency[i] /= masks;
    }
    for (int a = 0; a < blockAreaHistogram.length; a++) {
      blockAreaHistogram[a] /= blocks;
    }
  }

  double meanBlocks() {
    return blocks / (double) masks;
  }

  double meanBlockNewCells() {
    return blockNewCells / (double) blocks;
  }

  double fillFraction() {
    return masksWithFill / (double) masks;
  }

  double meanComponents4() {
    return components4 / (double) masks;
  }

  private int components(boolean[] masked) {
    boolean[] seen = new boolean[cells];
    int found = 0;
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int start = 0; start < cells; start++) {
      if (!masked[start] || seen[start]) {
        continue;
      }
      found++;
      seen[start] = true;
      queue.add(start);
      while (!queue.isEmpty()) {
        int c = queue.poll();
        int y = c / gridWidth;
        int x = c % gridWidth;
        int[][] neighbours = {{y - 1, x}, {y + 1, x}, {y, x - 1}, {y, x + 1}};
        for (int[] n : neighbours) {
          int i = n[0] * gridWidth + n[1];
          if (n[0] >= 0
              && n[0] < cells / gridWidth
              && n[1] >= 0
              && n[1] < gridWidth
              && masked[i]
              && !seen[i]) {
            seen[i] = true;
            queue.add(i);
          }
        }
      }
    }
    return found;
  }
}
