/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.linalg;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Centroids laid out for a register-blocked dot-product kernel (JDK Vector API): panels of {@link
 * #WIDTH} centroids, transposed so that one dimension of a panel is contiguous. The kernel then
 * multiplies 4 points by a whole panel with 16 vector accumulators and no horizontal reductions,
 * like a GEMM micro-kernel. Missing centroids of the last panel are zeros.
 */
public final class CentroidPanels {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();

  /** Centroids per panel. */
  public static final int WIDTH = 4 * LANES;

  /** Points handled together by the kernel; blocks passed to {@link #dots} are multiples. */
  public static final int ROWS = 4;

  private final int dim;
  private final int panelCount;
  private final float[] panels;

  public CentroidPanels(float[] centroids, int k, int dim) {
    this.dim = dim;
    this.panelCount = (k + WIDTH - 1) / WIDTH;
    this.panels = new float[panelCount * dim * WIDTH];
    for (int j = 0; j < k; j++) {
      int base = (j / WIDTH) * dim * WIDTH + j % WIDTH;
      for (int d = 0; d < dim; d++) {
        panels[base + d * WIDTH] = centroids[j * dim + d];
      }
    }
  }

  /** Padded number of centroids: the row stride of the {@link #dots} output. */
  public int paddedK() {
    return panelCount * WIDTH;
  }

  /**
   * out[r * paddedK() + j] = dot(block row r, centroid j) in float32, for r &lt; rows.
   *
   * @param block row-major points [rows, dim] starting at {@code offset}, rows a multiple of {@link
   *     #ROWS}
   */
  public void dots(float[] block, int offset, int rows, float[] out) {
    int stride = paddedK();
    for (int p = 0; p < panelCount; p++) {
      for (int r = 0; r < rows; r += ROWS) {
        fourRowsTimesPanel(
            block, offset + r * dim, p * dim * WIDTH, out, r * stride + p * WIDTH, stride);
      }
    }
  }

  /**
   * The micro-kernel, kept small so that the JIT compiles it fully early (a large caller can stay
   * in the interpreter-level tier with boxed vectors for a long time).
   */
  private void fourRowsTimesPanel(
      float[] block, int x0, int panelBase, float[] out, int o0, int stride) {
    int x1 = x0 + dim;
    int x2 = x1 + dim;
    int x3 = x2 + dim;
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector a00 = zero.add(zero), a01 = zero.add(zero), a02 = zero.add(zero);
    FloatVector a03 = zero.add(zero), a10 = zero.add(zero), a11 = zero.add(zero);
    FloatVector a12 = zero.add(zero), a13 = zero.add(zero), a20 = zero.add(zero);
    FloatVector a21 = zero.add(zero), a22 = zero.add(zero), a23 = zero.add(zero);
    FloatVector a30 = zero.add(zero), a31 = zero.add(zero), a32 = zero.add(zero);
    FloatVector a33 = zero.add(zero);
    for (int d = 0; d < dim; d++) {
      int o = panelBase + d * WIDTH;
      FloatVector c0 = FloatVector.fromArray(SPECIES, panels, o);
      FloatVector c1 = FloatVector.fromArray(SPECIES, panels, o + LANES);
      FloatVector c2 = FloatVector.fromArray(SPECIES, panels, o + 2 * LANES);
      FloatVector c3 = FloatVector.fromArray(SPECIES, panels, o + 3 * LANES);
      FloatVector b = FloatVector.broadcast(SPECIES, block[x0 + d]);
      a00 = c0.fma(b, a00);
      a01 = c1.fma(b, a01);
      a02 = c2.fma(b, a02);
      a03 = c3.fma(b, a03);
      b = FloatVector.broadcast(SPECIES, block[x1 + d]);
      a10 = c0.fma(b, a10);
      a11 = c1.fma(b, a11);
      a12 = c2.fma(b, a12);
      a13 = c3.fma(b, a13);
      b = FloatVector.broadcast(SPECIES, block[x2 + d]);
      a20 = c0.fma(b, a20);
      a21 = c1.fma(b, a21);
      a22 = c2.fma(b, a22);
      a23 = c3.fma(b, a23);
      b = FloatVector.broadcast(SPECIES, block[x3 + d]);
      a30 = c0.fma(b, a30);
      a31 = c1.fma(b, a31);
      a32 = c2.fma(b, a32);
      a33 = c3.fma(b, a33);
    }
    // Stored inline: passing vectors to a helper that is not inlined would box them.
    int o1 = o0 + stride;
    int o2 = o1 + stride;
    int o3 = o2 + stride;
    a00.intoArray(out, o0);
    a01.intoArray(out, o0 + LANES);
    a02.intoArray(out, o0 + 2 * LANES);
    a03.intoArray(out, o0 + 3 * LANES);
    a10.intoArray(out, o1);
    a11.intoArray(out, o1 + LANES);
    a12.intoArray(out, o1 + 2 * LANES);
    a13.intoArray(out, o1 + 3 * LANES);
    a20.intoArray(out, o2);
    a21.intoArray(out, o2 + LANES);
    a22.intoArray(out, o2 + 2 * LANES);
    a23.intoArray(out, o2 + 3 * LANES);
    a30.intoArray(out, o3);
    a31.intoArray(out, o3 + LANES);
    a32.intoArray(out, o3 + 2 * LANES);
    a33.intoArray(out, o3 + 3 * LANES);
  }
}
