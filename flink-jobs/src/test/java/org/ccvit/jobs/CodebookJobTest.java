/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.ccvit.jobs.codebook.CodebookJob;
import org.ccvit.jobs.codebook.CodebookOptions;
import org.ccvit.jobs.io.Inputs;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.CenterViewPatches;
import org.ccvit.tokenizer.image.ImageLimits;
import org.ccvit.tokenizer.kmeans.KMeans;
import org.ccvit.tokenizer.kmeans.KMeansConfig;
import org.ccvit.tokenizer.kmeans.KMeansResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The codebook job clusters the center-view patches of the images ordered by key, whatever the
 * parallelism: its centroids are those of {@link KMeans#fit} on those points (bit for bit on one
 * subtask), and bad images are rejected.
 */
class CodebookJobTest {
  private static final int IMAGE_SIZE = 32;
  private static final int PATCH_SIZE = 8;
  private static final int IMAGES = 12;

  @TempDir Path tmp;

  @Test
  void clustersPatchesInKeyOrderOnOneAndTwoSubtasks() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("images"));
    List<ImageRecord> real = RealImages.imagenetteValidation(IMAGES);
    for (ImageRecord r : real) {
      Files.write(folder.resolve(r.getKey() + "." + r.getFormat()), bytes(r));
    }
    Files.write(folder.resolve("not-an-image.png"), "hello, I am text".getBytes());

    KMeansConfig config = new KMeansConfig(16, 5, 1, 10_000_000);
    CenterViewPatches view = new CenterViewPatches(IMAGE_SIZE, PATCH_SIZE, ImageLimits.defaults());
    real.sort(Comparator.comparing(ImageRecord::getKey));
    int dim = view.patchDim();
    float[] points = new float[0];
    for (ImageRecord r : real) {
      float[] patches = view.extract(bytes(r));
      float[] grown = java.util.Arrays.copyOf(points, points.length + patches.length);
      System.arraycopy(patches, 0, grown, points.length, patches.length);
      points = grown;
    }
    KMeansResult expected = new KMeans(config).fit(points, points.length / dim, dim, null);

    CodebookJob.Result one = build(config, folder, 1);
    assertEquals(IMAGES, one.images());
    assertEquals(1, one.rejects().size(), one.rejects().toString());
    assertArrayEquals(expected.centroids(), one.codebook().centroids());
    CodebookJob.Result two = build(config, folder, 2);
    assertArrayEquals(expected.centroids(), two.codebook().centroids(), 1e-6f);
    try (var left = Files.list(tmp.resolve("work"))) {
      assertEquals(List.of(), left.toList(), "the run's files are deleted");
    }
  }

  @Test
  void aWorkDirectoryThatDoesNotExistYetIsCreated() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("few"));
    for (ImageRecord r : RealImages.imagenetteValidation(4)) {
      Files.write(folder.resolve(r.getKey() + "." + r.getFormat()), bytes(r));
    }
    CodebookOptions o = new CodebookOptions();
    new CommandLine(o)
        .parseArgs(
            "--images", folder.toString(),
            "--out", tmp.resolve("out/centroids.npy").toString(),
            "--k", "4",
            "--iterations", "1",
            "--parallelism", "1",
            "--image-size", String.valueOf(IMAGE_SIZE),
            "--patch-size", String.valueOf(PATCH_SIZE),
            "--work-dir", tmp.resolve("not/yet/there").toString());
    CodebookJob.run(o, null);
    assertTrue(Files.isRegularFile(tmp.resolve("out/centroids.npy")));
  }

  private CodebookJob.Result build(KMeansConfig config, Path folder, int parallelism)
      throws Exception {
    CodebookJob job =
        new CodebookJob(
            new CodebookJob.Settings(IMAGE_SIZE, PATCH_SIZE, 0, config, 1),
            Inputs.imageFiles(List.of(folder), 1));
    return job.run(
        FlinkEnvironments.create(parallelism, tmp.resolve("cp").toString(), 0),
        tmp.resolve("work"),
        it -> {});
  }

  private static byte[] bytes(ImageRecord r) {
    byte[] bytes = new byte[r.getImage().remaining()];
    r.getImage().duplicate().get(bytes);
    return bytes;
  }
}
