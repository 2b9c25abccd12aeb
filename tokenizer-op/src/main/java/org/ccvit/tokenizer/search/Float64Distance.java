/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.search;

/**
 * The reference squared distance: float64 differences, squared and summed in index order. Every
 * exact search computes final distances with this one function, so they agree to the bit.
 */
final class Float64Distance {
  private Float64Distance() {}

  static double squared(float[] a, int aOffset, float[] b, int bOffset, int dim) {
    double sum = 0;
    for (int i = 0; i < dim; i++) {
      double d = (double) a[aOffset + i] - b[bOffset + i];
      sum += d * d;
    }
    return sum;
  }
}
