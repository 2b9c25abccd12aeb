/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.ccvit.tokenizer.codebook.Codebook;

/** A codebook of seeded uniform centroids, for tests about state and order, not learning. */
final class RandomCodebook {

  private RandomCodebook() {}

  /** Writes K random RGB centroids of the patch size to {@code file} ({@code centroids.npy}). */
  static Path write(Path file, int k, int patchSize, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] centroids = new float[k * 3 * patchSize * patchSize];
    for (int i = 0; i < centroids.length; i++) {
      centroids[i] = (float) random.nextDouble();
    }
    new Codebook("random", k, patchSize, 3, centroids).writeNpy(file);
    return file;
  }
}
