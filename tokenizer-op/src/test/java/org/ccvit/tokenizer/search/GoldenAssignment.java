/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.file.Path;
import java.util.List;
import org.ccvit.tokenizer.SharedData;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.npy.Npy;
import org.ccvit.tokenizer.npy.NpyArray;

/**
 * A golden case of nearest-centroid ids (the original's assignment of natural patches and of
 * constructed ties); sizes come from the arrays, the patch size from the codebook's row length.
 */
record GoldenAssignment(String name, Path dir, Codebook codebook) {
  static final String[] FILES = {
    "codebook.npy", "patches.npy", "ids.npy", "tie_patches.npy", "tie_ids.npy"
  };

  static List<GoldenAssignment> cases() {
    return SharedData.goldenCasesWith(FILES).stream().map(GoldenAssignment::open).toList();
  }

  private static GoldenAssignment open(Path dir) {
    Path file = dir.resolve("codebook.npy");
    int dim = Npy.read(file).shape()[1];
    int patch = (int) Math.round(Math.sqrt(dim / 3.0));
    return new GoldenAssignment(
        dir.getFileName().toString(), dir, Codebook.readNpy(file, patch, 3));
  }

  /** The search gives the original's ids for the natural patches and for the ties. */
  void check(NearestCentroidSearch search) {
    String what = name + " " + search.getClass().getSimpleName();
    assertArrayEquals(ids("ids.npy"), assign(search, "patches.npy"), what);
    assertArrayEquals(ids("tie_ids.npy"), assign(search, "tie_patches.npy"), what + " ties");
  }

  private int[] ids(String file) {
    return Npy.read(dir.resolve(file)).toInts();
  }

  private int[] assign(NearestCentroidSearch search, String file) {
    NpyArray points = Npy.read(dir.resolve(file));
    return search.assign(points.toFloats(), points.shape()[0]);
  }
}
