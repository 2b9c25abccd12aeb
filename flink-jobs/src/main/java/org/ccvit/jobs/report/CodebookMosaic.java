/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.report;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.ccvit.tokenizer.codebook.Codebook;

/**
 * The paper's Fig. 7: centroids drawn as image patches. With usage counts, the most used come
 * first, each captioned with its count; without, in id order.
 */
public final class CodebookMosaic {

  private CodebookMosaic() {}

  /** Centroid ids in drawing order: by descending count (ties by id), or by id without counts. */
  public static int[] order(int k, long[] counts) {
    Comparator<Integer> byId = Comparator.naturalOrder();
    Comparator<Integer> order =
        counts == null
            ? byId
            : Comparator.<Integer>comparingLong(id -> -counts[id]).thenComparing(byId);
    return IntStream.range(0, k).boxed().sorted(order).mapToInt(Integer::intValue).toArray();
  }

  /**
   * @param counts usage of each id, or null
   * @param limit how many centroids to draw, from the start of {@link #order}
   */
  public static BufferedImage draw(
      Codebook codebook, long[] counts, int limit, int columns, int scale) {
    int[] ids = order(codebook.k(), counts);
    int n = Math.min(limit, ids.length);
    List<List<BufferedImage>> rows = new ArrayList<>();
    List<List<String>> captions = counts == null ? null : new ArrayList<>();
    for (int start = 0; start < n; start += columns) {
      List<BufferedImage> row = new ArrayList<>();
      List<String> caption = new ArrayList<>();
      for (int i = start; i < Math.min(n, start + columns); i++) {
        row.add(
            PatchImages.patch(
                codebook.centroids(), ids[i] * codebook.dim(), codebook.patchSize(), scale));
        caption.add(counts == null ? "" : Long.toString(counts[ids[i]]));
      }
      rows.add(row);
      if (captions != null) {
        captions.add(caption);
      }
    }
    return PatchImages.grid(rows, List.of(), captions);
  }
}
