/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.CenterViewPatches;
import org.ccvit.tokenizer.RejectedInputException;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.image.ImageLimits;
import org.ccvit.tokenizer.search.NearestCentroidSearch;

/**
 * Times nearest-centroid searches on the patches of decoded center views (decoding is done once,
 * before any timing): each thread takes a contiguous range of images with its own search instance
 * and assigns one image (its patches) per call, as the tokenize command and the operator do.
 */
public final class TokenizerBenchmark {

  /** The best of several runs of one search path at one thread count. */
  public record Run(String path, int threads, int images, double seconds, int[] ids) {
    public double imagesPerSecond() {
      return images / seconds;
    }
  }

  private final int patchesPerImage;
  private final int dim;
  private final float[][] imagePatches;

  public TokenizerBenchmark(List<ImageRecord> images, int imageSize, int patchSize)
      throws RejectedInputException {
    CenterViewPatches view = new CenterViewPatches(imageSize, patchSize, ImageLimits.defaults());
    this.patchesPerImage = view.patchesPerImage();
    this.dim = view.patchDim();
    this.imagePatches = new float[images.size()][];
    for (int i = 0; i < images.size(); i++) {
      byte[] bytes = new byte[images.get(i).getImage().remaining()];
      images.get(i).getImage().duplicate().get(bytes);
      imagePatches[i] = view.extract(bytes);
    }
  }

  /** A codebook of K distinct random patches of other images (see {@link QuickCodebook}). */
  public static Codebook drawCodebook(
      List<ImageRecord> images, int imageSize, int patchSize, int k, long seed)
      throws RejectedInputException {
    return QuickCodebook.draw(images, imageSize, patchSize, k, seed);
  }

  public int images() {
    return imagePatches.length;
  }

  /** The patches of the first {@code images} images, row-major [images * patches, dim]. */
  public float[] patches(int images) {
    float[] all = new float[images * patchesPerImage * dim];
    for (int i = 0; i < images; i++) {
      System.arraycopy(imagePatches[i], 0, all, i * patchesPerImage * dim, patchesPerImage * dim);
    }
    return all;
  }

  public int patchesPerImage() {
    return patchesPerImage;
  }

  /**
   * Runs the search over the first {@code images} images {@code repeats} times (after one untimed
   * warm-up run over a few images) and keeps the fastest.
   */
  public Run best(
      String path, Supplier<NearestCentroidSearch> perThread, int images, int threads, int repeats)
      throws Exception {
    once(perThread, Math.min(images, 2 * threads), threads);
    Run best = null;
    for (int r = 0; r < repeats; r++) {
      long start = System.nanoTime();
      int[] ids = once(perThread, images, threads);
      double seconds = (System.nanoTime() - start) / 1e9;
      if (best == null || seconds < best.seconds()) {
        best = new Run(path, threads, images, seconds, ids);
      }
    }
    return best;
  }

  private int[] once(Supplier<NearestCentroidSearch> perThread, int images, int threads)
      throws Exception {
    int[] ids = new int[images * patchesPerImage];
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int from = (int) ((long) images * t / threads);
        int to = (int) ((long) images * (t + 1) / threads);
        parts.add(
            pool.submit(
                () -> {
                  NearestCentroidSearch search = perThread.get();
                  int[] out = new int[patchesPerImage];
                  for (int i = from; i < to; i++) {
                    search.assign(imagePatches[i], patchesPerImage, out);
                    System.arraycopy(out, 0, ids, i * patchesPerImage, patchesPerImage);
                  }
                }));
      }
      for (Future<?> part : parts) {
        part.get();
      }
    } finally {
      pool.shutdown();
    }
    return ids;
  }
}
