/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossCurvePlotTest {

  @TempDir Path tmp;

  private BufferedImage plot(String csv) throws Exception {
    Path metrics = tmp.resolve("metrics.csv");
    Files.writeString(metrics, csv);
    Path png = tmp.resolve("curve.png");
    LossCurvePlot.write(TrainingLog.read(metrics), png);
    return ImageIO.read(png.toFile());
  }

  @Test
  void aKnnColumnAddsASecondPanel() throws Exception {
    BufferedImage lossOnly =
        plot("step,loss,ce,mse\n1,9.5,8.7,0.8\n2,9.1,8.4,0.7\n3,8.2,7.6,0.6\n");
    BufferedImage withKnn =
        plot(
            "step,loss,ce,mse,knn_top1\n1,9.5,8.7,0.8,NaN\n2,9.1,8.4,0.7,0.12\n"
                + "3,8.2,7.6,0.6,NaN\n4,8.0,7.5,0.5,0.19\n");
    assertEquals(lossOnly.getWidth(), withKnn.getWidth());
    assertEquals(2 * lossOnly.getHeight(), withKnn.getHeight());
  }
}
