/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.search;

import org.ccvit.tokenizer.codebook.Codebook;

/**
 * Finds, for each point, the id of the nearest centroid: {@code argmin_k ||x - c_k||^2} with
 * squared distances in float64 and the lowest index winning exact ties (as a flat L2 index does).
 */
public interface NearestCentroidSearch {
  /**
   * Writes the nearest centroid id of each of the n points into {@code out[0..n)}.
   *
   * @param points row-major {@code [n, dim]} (may be longer; the rest is ignored)
   */
  void assign(float[] points, int n, int[] out);

  /** As {@link #assign(float[], int, int[])}, into a new array. */
  default int[] assign(float[] points, int n) {
    int[] out = new int[n];
    assign(points, n, out);
    return out;
  }

  /**
   * The fast exact search ({@link PrunedExactSearch}); one instance per thread (it reuses buffers).
   * Threads searching one codebook can share its preparation: {@code new
   * PrunedExactSearch(ProjectedCodebook.of(codebook))} once, then one search per thread.
   */
  static NearestCentroidSearch exact(Codebook codebook) {
    return new PrunedExactSearch(codebook);
  }

  /** Checks the arguments every implementation shares. */
  static void checkPoints(float[] points, int n, int dim) {
    if (n < 0 || (long) n * dim > points.length) {
      throw new IllegalArgumentException(
          "expected "
              + n
              + " points of dimension "
              + dim
              + " ("
              + (long) n * dim
              + " values) but the array has "
              + points.length
              + " values");
    }
  }
}
