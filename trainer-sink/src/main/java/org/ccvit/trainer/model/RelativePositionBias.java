/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Map;

/**
 * BEiT's relative position bias, one table shared by every token and pixel block: (2G-1)^2 rows for
 * patch-to-patch offsets plus 3 rows for CLS-to-patch, patch-to-CLS and CLS-to-CLS.
 */
final class RelativePositionBias {
  static final String TABLE = ".relative_position_bias_table";
  static final String INDEX = ".relative_position_index";

  private RelativePositionBias() {}

  static void declare(Map<String, Shape> shapes, String prefix, CcvitConfig c) {
    shapes.put(prefix + TABLE, new Shape(tableRows(c.gridSize()), c.numHeads()));
  }

  static long tableRows(int grid) {
    return (long) (2 * grid - 1) * (2 * grid - 1) + 3;
  }

  /**
   * The [N+1, N+1] row index into the table for every (query, key) token pair, CLS first. Patch
   * offsets (dy, dx) map to (dy + G - 1) * (2G - 1) + (dx + G - 1).
   */
  static long[] index(int grid) {
    int n = grid * grid;
    int t = n + 1;
    long rows = tableRows(grid);
    long[] index = new long[t * t];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        int dy = i / grid - j / grid + grid - 1;
        int dx = i % grid - j % grid + grid - 1;
        index[(i + 1) * t + (j + 1)] = (long) dy * (2 * grid - 1) + dx;
      }
    }
    for (int j = 0; j < t; j++) {
      index[j] = rows - 3; // CLS query to any key
      index[j * t] = rows - 2; // any query to CLS key
    }
    index[0] = rows - 1;
    return index;
  }

  /** The bias [heads, N+1, N+1], added to every block's attention logits. */
  static NDArray forward(ParameterStore p, String prefix, CcvitConfig c) {
    NDArray table = p.get(prefix + TABLE);
    NDArray flatIndex = p.get(prefix + INDEX).flatten();
    long t = c.numPatches() + 1L;
    return table.get(new NDIndex("{}", flatIndex)).reshape(t, t, c.numHeads()).transpose(2, 0, 1);
  }
}
