/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.codebook;

import java.util.BitSet;

/**
 * Which centroids of one codebook the tokenized patches have used so far: a codebook whose usage
 * stays low after many samples has dead entries (wasted vocabulary), a sign to rebuild it.
 */
public final class CodebookUsage {
  private final int k;
  private final BitSet used;

  public CodebookUsage(int k) {
    this.k = k;
    this.used = new BitSet(k);
  }

  /** Notes the centroid ids of one sample's patches. */
  public void record(int[] ids) {
    for (int id : ids) {
      used.set(id);
    }
  }

  /** The share of the K centroids used at least once, 0 before any sample. */
  public double fraction() {
    return (double) used.cardinality() / k;
  }
}
