/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.codebook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rows of a sample read back in global order across files and segments. */
class PatchSampleTest {
  private static final int DIM = 5;

  @TempDir Path tmp;

  @Test
  void readsRangesAndScatteredRowsAcrossSegments() throws Exception {
    float[] a = values(0, 6);
    float[] b = values(6, 4);
    String fileA = PatchSample.write(tmp.resolve("a.f32"), a, 6, DIM).segments().get(0).file();
    String fileB = PatchSample.write(tmp.resolve("b.f32"), b, 4, DIM).segments().get(0).file();
    // Global order: a[3..6), b[0..4), an empty segment, a[0..3).
    PatchSample sample =
        new PatchSample(
            DIM,
            List.of(
                new PatchSample.Segment(fileA, 3, 3),
                new PatchSample.Segment(fileB, 0, 4),
                new PatchSample.Segment(fileA, 0, 0),
                new PatchSample.Segment(fileA, 0, 3)));
    float[] all = new float[10 * DIM];
    System.arraycopy(a, 3 * DIM, all, 0, 3 * DIM);
    System.arraycopy(b, 0, all, 3 * DIM, 4 * DIM);
    System.arraycopy(a, 0, all, 7 * DIM, 3 * DIM);

    assertArrayEquals(all, sample.rows(0, 10));
    assertArrayEquals(Arrays.copyOfRange(all, 2 * DIM, 8 * DIM), sample.rows(2, 8));
    int[] rows = {9, 2, 3, 4, 7, 0};
    float[] expected = new float[rows.length * DIM];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(all, rows[r] * DIM, expected, r * DIM, DIM);
    }
    assertArrayEquals(expected, sample.rows(rows));
    assertThrows(IndexOutOfBoundsException.class, () -> sample.rows(8, 11));
    assertThrows(IndexOutOfBoundsException.class, () -> sample.rows(new int[] {10}));
  }

  private static float[] values(int firstRow, int rows) {
    float[] v = new float[rows * DIM];
    for (int i = 0; i < v.length; i++) {
      v[i] = firstRow * DIM + i + 0.5f;
    }
    return v;
  }
}
