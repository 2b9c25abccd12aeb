/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ccvit.tokenizer.analysis.GaussianBlur;
import org.ccvit.tokenizer.analysis.GaussianNoise;
import org.ccvit.tokenizer.analysis.MaskedPatches;
import org.ccvit.tokenizer.analysis.TokenStability;
import org.ccvit.tokenizer.analysis.ViewPerturbation;

/**
 * The paper's Tables 4 and 11 (tokens unchanged under masking, noise and blur; token accuracy on
 * masked positions) for a codebook, as Markdown beside the paper's centroid figures.
 */
public final class TokenizerTables {

  /** The paper's centroid row of Table 4: unchanged after masking 10, 20, 50% of the patches. */
  public static final double[] PAPER_MASKING = {90.01, 80.02, 50.05};

  /** The paper's centroid token accuracy on masked positions (Table 4). */
  public static final double PAPER_TOKEN_ACCURACY = 40.83;

  /** The paper's Table 11, centroids: noise sigma 1, 10, 25, then blur sigma 0.5, 1, 2. */
  public static final double[] PAPER_ROBUSTNESS = {98.94, 88.61, 72.28, 96.38, 86.39, 66.72};

  private static final double[] MASK_RATIOS = {0.1, 0.2, 0.5};
  private static final double[] NOISE_SIGMAS = {1, 10, 25};
  private static final double[] BLUR_SIGMAS = {0.5, 1, 2};

  private TokenizerTables() {}

  /** The perturbations of both tables, masking first, then noise, then blur. */
  public static List<ViewPerturbation> perturbations(int patchSize) {
    List<ViewPerturbation> all = new ArrayList<>();
    for (double r : MASK_RATIOS) {
      all.add(new MaskedPatches(r, patchSize, MaskedPatches.IMAGENET_MEAN_RGB));
    }
    for (double s : NOISE_SIGMAS) {
      all.add(new GaussianNoise(s, patchSize));
    }
    for (double s : BLUR_SIGMAS) {
      all.add(new GaussianBlur(s, patchSize));
    }
    return all;
  }

  /**
   * @param rows the rows of {@link TokenStability} over {@link #perturbations}
   * @param tokenAccuracy percent of masked positions predicted right, or NaN without a model
   */
  public static String markdown(List<TokenStability.Row> rows, double tokenAccuracy) {
    StringBuilder out = new StringBuilder();
    out.append("Table 4: tokens unchanged after masking (masked pixels set to the ImageNet mean")
        .append(" colour 124,116,104), blockwise masks as in pre-training\n\n")
        .append("| masked patches | unchanged, all positions (%) | paper, centroids (%) |")
        .append(" unchanged, masked positions (%) | unchanged, other positions (%) |\n")
        .append("|---|---:|---:|---:|---:|\n");
    for (int i = 0; i < MASK_RATIOS.length; i++) {
      TokenStability.Row r = rows.get(i);
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %.2f | %.2f | %.2f | %.2f |%n",
              r.label(),
              r.percentUnchanged(),
              PAPER_MASKING[i],
              r.percentTargetedUnchanged(),
              r.percentUntargetedUnchanged()));
    }
    out.append(
        String.format(
            Locale.ROOT,
            "%n| token accuracy on masked positions (%%) | %s | paper: %.2f |%n|---|---:|---:|%n%n",
            Double.isNaN(tokenAccuracy)
                ? "no --weights"
                : String.format(Locale.ROOT, "%.2f", tokenAccuracy),
            PAPER_TOKEN_ACCURACY));
    out.append("Table 11: tokens unchanged under noise (0-255 scale, rounded and clipped) and blur")
        .append(" (kernel radius ceil(3 sigma), reflected edges), all positions\n\n")
        .append("| perturbation | unchanged (%) | paper, centroids (%) |\n|---|---:|---:|\n");
    for (int i = 0; i < PAPER_ROBUSTNESS.length; i++) {
      TokenStability.Row r = rows.get(MASK_RATIOS.length + i);
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %.2f | %.2f |%n",
              r.label(),
              r.percentUnchanged(),
              PAPER_ROBUSTNESS[i]));
    }
    return out.toString();
  }
}
