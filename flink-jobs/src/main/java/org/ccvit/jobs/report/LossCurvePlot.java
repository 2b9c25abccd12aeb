/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Draws loss, CE and MSE against the step as a PNG, with plain Java2D (headless). */
public final class LossCurvePlot {

  private static final int WIDTH = 900;
  private static final int HEIGHT = 520;
  private static final int MARGIN = 70;

  private LossCurvePlot() {}

  public static void write(TrainingLog log, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    double[] steps = log.column("step");
    String[] names = {"loss", "ce", "mse"};
    Color[] colors = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c)};
    double max = 0;
    for (String name : names) {
      for (double v : log.column(name)) {
        max = Math.max(max, v);
      }
    }
    double minStep = steps.length == 0 ? 0 : steps[0];
    double maxStep = steps.length == 0 ? 1 : Math.max(steps[steps.length - 1], minStep + 1);

    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    g.setColor(Color.DARK_GRAY);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    int plotW = WIDTH - 2 * MARGIN;
    int plotH = HEIGHT - 2 * MARGIN;
    g.drawRect(MARGIN, MARGIN, plotW, plotH);
    for (int i = 0; i <= 4; i++) {
      double v = max * i / 4;
      int y = MARGIN + plotH - (int) (plotH * i / 4.0);
      g.drawString(String.format(Locale.ROOT, "%.2f", v), 15, y + 5);
      int x = MARGIN + (int) (plotW * i / 4.0);
      double s = minStep + (maxStep - minStep) * i / 4;
      g.drawString(String.format(Locale.ROOT, "%.0f", s), x - 10, MARGIN + plotH + 20);
    }
    g.drawString("step", MARGIN + plotW / 2 - 10, HEIGHT - 20);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString("CCViT pre-training: loss = CE + MSE", MARGIN, MARGIN - 25);
    g.setStroke(new BasicStroke(2f));
    for (int c = 0; c < names.length; c++) {
      double[] values = log.column(names[c]);
      g.setColor(colors[c]);
      for (int i = 1; i < values.length; i++) {
        g.drawLine(
            xOf(steps[i - 1], minStep, maxStep, plotW),
            yOf(values[i - 1], max, plotH),
            xOf(steps[i], minStep, maxStep, plotW),
            yOf(values[i], max, plotH));
      }
      // Legend in the top margin, clear of the curves.
      int legendX = WIDTH - MARGIN - 210 + 75 * c;
      g.fillRect(legendX, MARGIN - 34, 14, 4);
      g.drawString(names[c], legendX + 20, MARGIN - 28);
    }
    g.dispose();
    ImageIO.write(image, "png", png.toFile());
  }

  private static int xOf(double step, double min, double max, int plotW) {
    return MARGIN + (int) Math.round((step - min) / (max - min) * plotW);
  }

  private static int yOf(double value, double max, int plotH) {
    return MARGIN + plotH - (int) Math.round(value / (max <= 0 ? 1 : max) * plotH);
  }
}
