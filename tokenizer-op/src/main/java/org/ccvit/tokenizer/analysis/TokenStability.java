/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.ccvit.tokenizer.image.RgbImage;
import org.ccvit.tokenizer.patch.Patches;
import org.ccvit.tokenizer.search.NearestCentroidSearch;

/**
 * How many tokens stay the same when a view is perturbed: each image is tokenized clean and after
 * each perturbation, and the ids are compared position by position, over all positions and over
 * those the perturbation targeted. Safe to feed from several threads, each with its own search.
 */
public final class TokenStability {

  private final List<ViewPerturbation> perturbations;
  private final int patchSize;
  private final long[] unchanged;
  private final long[] targetedUnchanged;
  private final long[] targeted;
  private long positions;
  private long images;

  public TokenStability(List<ViewPerturbation> perturbations, int patchSize) {
    this.perturbations = List.copyOf(perturbations);
    this.patchSize = patchSize;
    int n = perturbations.size();
    this.unchanged = new long[n];
    this.targetedUnchanged = new long[n];
    this.targeted = new long[n];
  }

  /**
   * Tokenizes the clean view and every perturbation of it. Perturbation i draws from its own split
   * of {@code rng}, so adding a perturbation changes no other row.
   */
  public void add(RgbImage view, NearestCentroidSearch search, SplittableRandom rng) {
    int[] clean = tokenize(view, search);
    long[][] counts = new long[perturbations.size()][];
    for (int i = 0; i < perturbations.size(); i++) {
      ViewPerturbation.Perturbed p = perturbations.get(i).apply(view, rng.split());
      int[] ids = tokenize(p.view(), search);
      long same = 0;
      long sameTargeted = 0;
      long nTargeted = 0;
      for (int j = 0; j < ids.length; j++) {
        boolean equal = ids[j] == clean[j];
        same += equal ? 1 : 0;
        if (p.targeted()[j]) {
          nTargeted++;
          sameTargeted += equal ? 1 : 0;
        }
      }
      counts[i] = new long[] {same, sameTargeted, nTargeted};
    }
    synchronized (this) {
      for (int i = 0; i < counts.length; i++) {
        unchanged[i] += counts[i][0];
        targetedUnchanged[i] += counts[i][1];
        targeted[i] += counts[i][2];
      }
      positions += clean.length;
      images++;
    }
  }

  private int[] tokenize(RgbImage view, NearestCentroidSearch search) {
    float[] patches =
        Patches.fromChwBytes(view.chw(), RgbImage.CHANNELS, view.height(), view.width(), patchSize);
    return search.assign(patches, patches.length / (RgbImage.CHANNELS * patchSize * patchSize));
  }

  public synchronized long images() {
    return images;
  }

  /** One row per perturbation, in the order given. */
  public synchronized List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < perturbations.size(); i++) {
      rows.add(
          new Row(
              perturbations.get(i).label(),
              unchanged[i],
              positions,
              targetedUnchanged[i],
              targeted[i]));
    }
    return rows;
  }

  /**
   * @param unchanged positions whose id equals the clean view's, of {@code positions}
   * @param targetedUnchanged the same among the {@code targeted} positions the perturbation aimed
   *     at
   */
  public record Row(
      String label, long unchanged, long positions, long targetedUnchanged, long targeted) {

    /** Share of all positions unchanged, in percent (the paper's measure). */
    public double percentUnchanged() {
      return 100.0 * unchanged / positions;
    }

    /** Share of the targeted positions unchanged, in percent. */
    public double percentTargetedUnchanged() {
      return 100.0 * targetedUnchanged / targeted;
    }

    /** Share of the positions not targeted that are unchanged, in percent. */
    public double percentUntargetedUnchanged() {
      return 100.0 * (unchanged - targetedUnchanged) / (positions - targeted);
    }
  }
}
