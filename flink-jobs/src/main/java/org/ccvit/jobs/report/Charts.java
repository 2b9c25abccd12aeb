/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.DoublePredicate;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** XChart line charts in the project's style, and several of them stacked into one PNG. */
public final class Charts {

  private static final int WIDTH = 900;
  private static final int PANEL_HEIGHT = 420;

  private Charts() {}

  /** An empty line chart with a title, axis titles and a legend inside its top right corner. */
  public static XYChart lines(String title, String xTitle, String yTitle) {
    System.setProperty("java.awt.headless", "true");
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(PANEL_HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    Styler styler = chart.getStyler();
    styler.setLegendPosition(Styler.LegendPosition.InsideNE);
    styler.setChartBackgroundColor(Color.WHITE);
    return chart;
  }

  /** Adds the points whose y is positive and finite (what a log axis can show). */
  public static void addPositive(XYChart chart, String name, double[] x, double[] y) {
    add(chart, name, x, y, v -> Double.isFinite(v) && v > 0);
  }

  /** Adds the points whose y is finite (a column logged only at some steps is NaN elsewhere). */
  public static void addFinite(XYChart chart, String name, double[] x, double[] y) {
    add(chart, name, x, y, Double::isFinite);
  }

  private static void add(
      XYChart chart, String name, double[] x, double[] y, DoublePredicate keep) {
    int[] kept = IntStream.range(0, y.length).filter(i -> keep.test(y[i])).toArray();
    if (kept.length == 0) {
      return;
    }
    XYSeries series =
        chart.addSeries(
            name,
            IntStream.of(kept).mapToDouble(i -> x[i]).toArray(),
            IntStream.of(kept).mapToDouble(i -> y[i]).toArray());
    series.setMarker(kept.length == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
  }

  /** The charts one above the other in one PNG. */
  public static void writeStacked(List<XYChart> charts, Path png) throws IOException {
    List<BufferedImage> images = charts.stream().map(BitmapEncoder::getBufferedImage).toList();
    int width = images.stream().mapToInt(BufferedImage::getWidth).max().orElse(1);
    int height = images.stream().mapToInt(BufferedImage::getHeight).sum();
    BufferedImage out = new BufferedImage(width, Math.max(1, height), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    int y = 0;
    for (BufferedImage image : images) {
      g.drawImage(image, 0, y, null);
      y += image.getHeight();
    }
    g.dispose();
    ImageIO.write(out, "png", png.toFile());
  }
}
