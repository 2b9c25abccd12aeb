/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.ccvit.jobs.report.ReconstructionPanels;
import org.ccvit.tokenizer.SharedData;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.image.RgbImage;
import org.ccvit.tokenizer.patch.Patches;
import org.ccvit.trainer.TrainConfig;
import org.ccvit.trainer.Trainer;
import org.ccvit.trainer.model.CcvitConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** reconstruct, codebook-grid and analyze on a few real Imagenette images. */
class PicturesCommandsTest {

  private static final int SIDE = 224;
  private static final int P = 16;
  private static final int GAP = 6;

  @TempDir static Path tmp;
  private static Path shard;
  private static List<CenterViews.View> views;
  private static Path codebookFile;
  private static Codebook codebook;

  @BeforeAll
  static void data() throws Exception {
    shard = SharedData.dataset("imagenette-224/val-00000.tar.gz");
    views = CenterViews.read(List.of(shard), 4, SIDE, 2);
    // The first image's own 196 patches as a codebook: its tokens are known (each patch its own).
    float[] own =
        Patches.fromChwBytes(views.get(0).image().chw(), RgbImage.CHANNELS, SIDE, SIDE, P);
    codebook = new Codebook("own", 196, P, 3, own);
    codebookFile = tmp.resolve("centroids.npy");
    codebook.writeNpy(codebookFile);
  }

  private static String run(String... args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      assertEquals(0, Ccvit.commandLine().execute(args));
    } finally {
      System.setOut(saved);
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    saved.print(out);
    return out;
  }

  private static Path tinyWeights() {
    Path weights = tmp.resolve("tiny.safetensors");
    if (!Files.exists(weights)) {
      try (Trainer trainer =
          new Trainer(CcvitConfig.tiny(SIDE, P, 196), TrainConfig.original(4, 10, 0), codebook)) {
        trainer.saveWeights(weights);
      }
    }
    return weights;
  }

  @Test
  void reconstructDrawsTheOriginalAndTheMaskedInputBesideThePredictions() throws Exception {
    Path out = tmp.resolve("reconstruct");
    String printed =
        run(
            "reconstruct",
            "--weights",
            tinyWeights().toString(),
            "--codebook",
            codebookFile.toString(),
            "--images",
            shard.toString(),
            "--limit",
            "2",
            "--out",
            out.toString());
    assertTrue(printed.contains("masked tokens predicted right"), printed);
    BufferedImage grid = ImageIO.read(out.resolve("grid.png").toFile());
    assertEquals(GAP + 4 * (SIDE + GAP), grid.getWidth());
    assertEquals(22 + 2 * (SIDE + GAP), grid.getHeight());
    try (var files = Files.list(out)) {
      assertEquals(3, files.count());
    }
    // Panel 1 is the center view itself; panel 2 differs from it exactly where patches were
    // masked (mean colour) or replaced (their centroid: here the patch itself, so unchanged).
    RgbImage view = views.get(0).image();
    int differing = 0;
    for (int gy = 0; gy < SIDE / P; gy++) {
      for (int gx = 0; gx < SIDE / P; gx++) {
        int x = gx * P + 5;
        int y = gy * P + 7;
        int original = rgb(view, x, y);
        assertEquals(original, grid.getRGB(GAP + x, 22 + y) & 0xffffff);
        int input = grid.getRGB(GAP + SIDE + GAP + x, 22 + y) & 0xffffff;
        if (input != original) {
          differing++;
          assertEquals((124 << 16) | (116 << 8) | 104, input);
        }
      }
    }
    assertTrue(differing > 60 && differing <= 75, differing + " patches differ");
    assertEquals(4, ReconstructionPanels.TITLES.size());
  }

  private static int rgb(RgbImage image, int x, int y) {
    return (image.get(0, y, x) << 16) | (image.get(1, y, x) << 8) | image.get(2, y, x);
  }

  @Test
  void codebookGridCountsEveryPatchOnce() throws Exception {
    Path png = tmp.resolve("grid/centroids.png");
    String printed =
        run(
            "codebook-grid",
            "--codebook",
            codebookFile.toString(),
            "--images",
            shard.toString(),
            "--limit-images",
            "3",
            "--count",
            "0",
            "--out",
            png.toString());
    assertTrue(printed.contains("usage on 3 images"), printed);
    List<String> csv = Files.readAllLines(tmp.resolve("grid/centroids.csv"));
    assertEquals(197, csv.size());
    long total = csv.stream().skip(1).mapToLong(l -> Long.parseLong(l.split(",")[1])).sum();
    assertEquals(3 * 196, total);
    BufferedImage mosaic = ImageIO.read(png.toFile());
    // 196 centroids in rows of 16 at 3x: 13 rows.
    assertEquals(GAP + 16 * (3 * P + GAP), mosaic.getWidth());
    assertEquals(GAP + 13 * (3 * P + 14 + GAP), mosaic.getHeight());
    assertTrue(Files.size(tmp.resolve("grid/centroids-usage.png")) > 0);
  }

  @Test
  void analyzeWithTheImagesOwnPatchesKeepsEveryUnmaskedToken() throws Exception {
    String printed =
        run(
            "analyze",
            "--codebook",
            codebookFile.toString(),
            "--images",
            shard.toString(),
            "--limit",
            "1",
            "--weights",
            tinyWeights().toString());
    List<String> maskRows =
        Arrays.stream(printed.split("\n")).filter(l -> l.matches("\\| masked \\d.*")).toList();
    assertEquals(3, maskRows.size(), printed);
    List<Double> untouched = new ArrayList<>();
    for (String row : maskRows) {
      String[] cells = row.split("\\|");
      untouched.add(Double.parseDouble(cells[5].trim()));
    }
    assertEquals(List.of(100.0, 100.0, 100.0), untouched);
    assertTrue(printed.contains("| Gaussian noise sigma=25 |"), printed);
    assertTrue(printed.contains("| Gaussian blur sigma=0.5 |"), printed);
    assertTrue(printed.contains("token accuracy") && !printed.contains("no --weights"), printed);
  }
}
