/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.CenterViewPatches;
import org.ccvit.tokenizer.SharedData;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.image.ImageLimits;
import org.ccvit.tokenizer.io.ImageSources;
import org.ccvit.tokenizer.npy.Npy;
import org.ccvit.tokenizer.npy.NpyArray;
import org.ccvit.tokenizer.search.BruteForceSearch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizeCommandTest {

  @TempDir Path tmp;

  @Test
  void idsAreTheExactArgminOfTheCenterViewInInputOrderAndFailuresGetMinusOne() throws Exception {
    Path photos = SharedData.dataset("photos/images");
    List<Path> inputs = ImageSources.expand(List.of(photos)).subList(0, 3);
    Path broken = tmp.resolve("broken.jpg");
    Files.write(broken, Arrays.copyOf(Files.readAllBytes(inputs.get(0)), 500));
    List<Path> all = new ArrayList<>(inputs);
    all.add(1, broken);

    // A random codebook of [0,1] patches; exactness does not depend on its quality.
    int k = 50;
    int dim = 3 * 16 * 16;
    float[] centroids = new float[k * dim];
    SplittableRandom rng = new SplittableRandom(5);
    for (int i = 0; i < centroids.length; i++) {
      centroids[i] = (float) rng.nextDouble();
    }
    Codebook codebook = new Codebook("test", k, 16, 3, centroids);
    Path codebookFile = tmp.resolve("centroids.npy");
    codebook.writeNpy(codebookFile);
    Path out = tmp.resolve("ids.npy");

    List<String> args =
        new ArrayList<>(
            List.of(
                "tokenize",
                "--codebook",
                codebookFile.toString(),
                "--out",
                out.toString(),
                "--images"));
    all.forEach(p -> args.add(p.toString()));
    assertEquals(0, Ccvit.commandLine().execute(args.toArray(String[]::new)));

    NpyArray ids = Npy.read(out);
    assertArrayEquals(new int[] {4, 196}, ids.shape());
    int[] values = ids.toInts();
    CenterViewPatches view = new CenterViewPatches(224, 16, ImageLimits.defaults());
    BruteForceSearch reference = new BruteForceSearch(codebook);
    int row = 0;
    for (Path p : all) {
      int[] actual = Arrays.copyOfRange(values, row * 196, (row + 1) * 196);
      if (p.equals(broken)) {
        assertArrayEquals(filled(-1), actual);
      } else {
        List<ImageRecord> records = new ArrayList<>();
        ImageSources.read(p, records::add);
        byte[] bytes = new byte[records.get(0).getImage().remaining()];
        records.get(0).getImage().get(bytes);
        assertArrayEquals(reference.assign(view.extract(bytes), 196), actual, p.toString());
      }
      row++;
    }
  }

  private static int[] filled(int value) {
    int[] a = new int[196];
    Arrays.fill(a, value);
    return a;
  }
}
