/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.linalg;

/**
 * The last step of every pruned exact search: among candidates with float32 distances, those within
 * rounding of the smallest are re-measured with {@link SquaredDistance#reference}; the smallest
 * reference distance wins, the lowest index on exact ties.
 */
public final class ExactArgmin {
  private ExactArgmin() {}

  /**
   * @param point the point at {@code points[x .. x+dim)}
   * @param ids candidate centroid ids (any order), {@code count} of them
   * @param distances their {@link SquaredDistance#fast} distances
   * @param relativeError bound on the relative error of those distances
   */
  public static int among(
      float[] points,
      int x,
      float[] centroids,
      int dim,
      int[] ids,
      float[] distances,
      int count,
      double relativeError) {
    float best = Float.POSITIVE_INFINITY;
    for (int m = 0; m < count; m++) {
      best = Math.min(best, distances[m]);
    }
    // Any candidate above the cutoff is farther than the best one, whatever the rounding.
    // The 1e-12 covers the float64 reference's own rounding.
    double cutoff =
        best * (1 + relativeError) / (1 - relativeError) * (1 + 1e-12) + Float.MIN_NORMAL;
    int nearest = -1;
    int close = 0;
    for (int m = 0; m < count; m++) {
      if (distances[m] <= cutoff) {
        close++;
        nearest = ids[m];
      }
    }
    if (close == 1) {
      return nearest;
    }
    nearest = Integer.MAX_VALUE;
    double nearestDistance = Double.POSITIVE_INFINITY;
    for (int m = 0; m < count; m++) {
      if (distances[m] <= cutoff) {
        int j = ids[m];
        double exact = SquaredDistance.reference(points, x, centroids, j * dim, dim);
        if (exact < nearestDistance || (exact == nearestDistance && j < nearest)) {
          nearestDistance = exact;
          nearest = j;
        }
      }
    }
    return nearest;
  }
}
