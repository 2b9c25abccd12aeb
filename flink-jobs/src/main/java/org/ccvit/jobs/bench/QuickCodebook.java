/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.bench;

import java.util.List;
import java.util.SplittableRandom;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.CenterViewPatches;
import org.ccvit.tokenizer.RejectedInputException;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.image.ImageLimits;

/**
 * A codebook of K natural patches drawn at random from the images' center views: what faiss's
 * k-means starts from. Search cost depends only on K and the patch size, so a benchmark does not
 * need the k-means iterations.
 */
final class QuickCodebook {

  private QuickCodebook() {}

  static Codebook draw(List<ImageRecord> images, int imageSize, int patchSize, int k, long seed)
      throws RejectedInputException {
    CenterViewPatches view = new CenterViewPatches(imageSize, patchSize, ImageLimits.defaults());
    int dim = view.patchDim();
    int perImage = view.patchesPerImage();
    float[] all = new float[images.size() * perImage * dim];
    for (int i = 0; i < images.size(); i++) {
      ImageRecord record = images.get(i);
      byte[] bytes = new byte[record.getImage().remaining()];
      record.getImage().duplicate().get(bytes);
      float[] patches = view.extract(bytes);
      System.arraycopy(patches, 0, all, i * perImage * dim, patches.length);
    }
    int n = images.size() * perImage;
    if (n < k) {
      throw new IllegalArgumentException(
          images.size() + " images give " + n + " patches, fewer than K = " + k + ": use more");
    }
    // Partial Fisher-Yates over patch indices: K distinct patches, reproducible from the seed.
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom rng = new SplittableRandom(seed);
    float[] centroids = new float[k * dim];
    for (int i = 0; i < k; i++) {
      int j = i + rng.nextInt(n - i);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
      System.arraycopy(all, order[i] * dim, centroids, i * dim, dim);
    }
    return new Codebook(
        Codebook.contentVersion(centroids, patchSize, 3), k, patchSize, 3, centroids);
  }
}
