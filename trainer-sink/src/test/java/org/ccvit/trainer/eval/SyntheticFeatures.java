/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.eval;

import java.util.SplittableRandom;

/** Class clusters around random unit centres in a high dimension, with labels. */
record SyntheticFeatures(float[][] features, int[] labels) {

  /**
   * @param noise standard deviation of each coordinate around its class centre
   */
  static SyntheticFeatures clusters(int perClass, int classes, int dim, double noise, long seed) {
    SplittableRandom centres = new SplittableRandom(42);
    double[][] centre = new double[classes][dim];
    for (double[] c : centre) {
      for (int j = 0; j < dim; j++) {
        c[j] = centres.nextGaussian() / Math.sqrt(dim);
      }
    }
    SplittableRandom r = new SplittableRandom(seed);
    float[][] x = new float[perClass * classes][dim];
    int[] y = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = i % classes;
      for (int j = 0; j < dim; j++) {
        x[i][j] = (float) (centre[y[i]][j] + noise * r.nextGaussian() / Math.sqrt(dim));
      }
    }
    return new SyntheticFeatures(x, y);
  }
}
