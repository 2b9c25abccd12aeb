/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.ccvit.jobs.LocalRuns;
import org.ccvit.jobs.report.LossCurvePlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bounded local run leaves its weights, its metrics and the picture of its curves. */
class PretrainCommandTest {

  @TempDir Path tmp;

  @Test
  void aFinishedLocalRunDrawsItsCurves() throws Exception {
    Path images = LocalRuns.imageFolder(tmp.resolve("images"), 8);
    Path codebook = LocalRuns.randomCodebook(tmp.resolve("centroids.npy"), 64, 8);
    Path out = tmp.resolve("out");
    int exit =
        Ccvit.commandLine()
            .execute(
                "pretrain",
                "--images",
                images.toString(),
                "--codebook",
                codebook.toString(),
                "--out",
                out.toString(),
                "--parallelism",
                "1",
                "--image-size",
                "64",
                "--patch-size",
                "8",
                "--batch-size",
                "4",
                "--no-web-ui");
    assertEquals(0, exit);
    assertTrue(Files.exists(out.resolve("weights.safetensors")));
    Path png = out.resolve(LossCurvePlot.FILE);
    assertTrue(Files.exists(png), "no " + png);
    assertTrue(ImageIO.read(png.toFile()).getWidth() > 0);
  }
}
