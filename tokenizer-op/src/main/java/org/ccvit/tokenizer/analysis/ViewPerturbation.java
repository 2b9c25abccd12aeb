/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.analysis;

import java.util.SplittableRandom;
import org.ccvit.tokenizer.image.RgbImage;

/** A change made to an image's view before it is tokenized again (the paper's Tables 4 and 11). */
public interface ViewPerturbation {

  /** How the row is named in a table, e.g. {@code noise sigma=10}. */
  String label();

  /**
   * @param view the clean view, left unchanged
   * @param rng the only source of randomness, so a run is repeatable
   */
  Perturbed apply(RgbImage view, SplittableRandom rng);

  /**
   * A perturbed view and which of its patches the perturbation aimed at (all of them for noise and
   * blur, the masked ones for masking), row-major over the patch grid.
   */
  record Perturbed(RgbImage view, boolean[] targeted) {}

  /** Every patch of a grid targeted. */
  static boolean[] allPatches(RgbImage view, int patchSize) {
    boolean[] all = new boolean[(view.width() / patchSize) * (view.height() / patchSize)];
    java.util.Arrays.fill(all, true);
    return all;
  }
}
