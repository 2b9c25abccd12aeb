/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;

/**
 * The training curves of a {@code metrics.csv} as one PNG: loss, CE and MSE against the step on a
 * log scale, and, when the log has a {@code knn_top1} column (the online kNN monitor), a second
 * panel with that accuracy.
 */
public final class LossCurvePlot {

  /** The kNN monitor's column: top-1 accuracy of a k-nearest-neighbour classifier, in percent. */
  public static final String KNN_COLUMN = "knn_top1";

  /** The picture's file name beside {@code metrics.csv}. */
  public static final String FILE = "loss-curve.png";

  private LossCurvePlot() {}

  public static void write(TrainingLog log, Path png) throws IOException {
    double[] steps = log.column("step");
    List<XYChart> panels = new ArrayList<>();
    XYChart loss = Charts.lines("CCViT pre-training: loss = CE + MSE", "step", "loss (log scale)");
    loss.getStyler().setYAxisLogarithmic(true);
    for (String name : new String[] {"loss", "ce", "mse"}) {
      Charts.addPositive(loss, name, steps, log.column(name));
    }
    panels.add(loss);
    if (log.has(KNN_COLUMN)) {
      XYChart knn = Charts.lines("Online kNN monitor", "step", "top-1 (%)");
      Charts.addFinite(knn, KNN_COLUMN, steps, log.column(KNN_COLUMN));
      panels.add(knn);
    }
    Charts.writeStacked(panels, png);
  }
}
