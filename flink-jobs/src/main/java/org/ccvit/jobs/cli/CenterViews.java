/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.RejectedInputException;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.image.CenterView;
import org.ccvit.tokenizer.image.ImageDecoder;
import org.ccvit.tokenizer.image.ImageLimits;
import org.ccvit.tokenizer.image.RgbImage;
import org.ccvit.tokenizer.io.ImageSources;
import org.ccvit.tokenizer.search.NearestCentroidSearch;
import org.ccvit.tokenizer.search.ProjectedCodebook;
import org.ccvit.tokenizer.search.PrunedExactSearch;

/**
 * The deterministic center views of images (as {@code tokenize} makes them), decoded on several
 * threads, for the commands that look at a few hundred images at most.
 */
final class CenterViews {

  /** An image's key and view. */
  record View(String key, RgbImage image) {}

  /** Work on one view with a search of the codebook that only this thread uses. */
  interface SearchAction {
    void accept(View view, NearestCentroidSearch search);
  }

  private CenterViews() {}

  /** Runs {@code action} on every view, on {@code threads} threads sharing one search index. */
  static void eachWithSearch(List<View> views, Codebook codebook, int threads, SearchAction action)
      throws IOException, InterruptedException {
    ProjectedCodebook prepared = ProjectedCodebook.of(codebook);
    ThreadLocal<NearestCentroidSearch> search =
        ThreadLocal.withInitial(() -> new PrunedExactSearch(prepared));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (View view : views) {
        done.add(pool.submit(() -> action.accept(view, search.get())));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } catch (ExecutionException e) {
      throw new IOException("analysing the views failed", e.getCause());
    } finally {
      pool.shutdown();
    }
  }

  /**
   * Reads up to {@code limit} images ({@code <= 0}: all) in input order; images that do not decode
   * are left out and named on standard error.
   */
  static List<View> read(List<Path> inputs, long limit, int size, int threads)
      throws IOException, InterruptedException {
    List<ImageRecord> records = new ArrayList<>();
    ImageSources.readAll(ImageSources.expand(inputs), limit, records::add);
    ThreadLocal<ImageDecoder> decoder =
        ThreadLocal.withInitial(() -> new ImageDecoder(ImageLimits.defaults()));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<RgbImage>> views = new ArrayList<>();
      for (ImageRecord record : records) {
        views.add(
            pool.submit(
                () -> {
                  byte[] bytes = new byte[record.getImage().remaining()];
                  record.getImage().duplicate().get(bytes);
                  try {
                    return CenterView.of(decoder.get().decode(bytes), size);
                  } catch (RejectedInputException e) {
                    System.err.println("skipped " + record.getKey() + ": " + e.getMessage());
                    return null;
                  }
                }));
      }
      List<View> out = new ArrayList<>();
      for (int i = 0; i < records.size(); i++) {
        RgbImage view = views.get(i).get();
        if (view != null) {
          out.add(new View(records.get(i).getKey(), view));
        }
      }
      return out;
    } catch (ExecutionException e) {
      throw new IOException("decoding failed", e.getCause());
    } finally {
      pool.shutdown();
    }
  }
}
