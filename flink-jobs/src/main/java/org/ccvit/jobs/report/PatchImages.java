/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import org.ccvit.tokenizer.image.RgbImage;
import org.ccvit.tokenizer.patch.Patches;

/** Patches of [0, 1] values (C x P x P rows) as pictures, and pictures laid out in a grid. */
public final class PatchImages {

  private static final int GAP = 6;
  private static final int TITLE_HEIGHT = 22;

  private PatchImages() {}

  /** The patches of a square image folded back into a picture, values clipped to [0, 1]. */
  public static BufferedImage image(float[] patches, int side, int patchSize) {
    float[] chw = new float[RgbImage.CHANNELS * side * side];
    Patches.toChw(patches, RgbImage.CHANNELS, side, side, patchSize, chw);
    return fromChw(chw, side, side);
  }

  /**
   * One patch ({@code dim} values from {@code offset}) as a picture, enlarged {@code scale} times.
   */
  public static BufferedImage patch(float[] values, int offset, int patchSize, int scale) {
    float[] chw = new float[RgbImage.CHANNELS * patchSize * patchSize];
    System.arraycopy(values, offset, chw, 0, chw.length);
    BufferedImage small = fromChw(chw, patchSize, patchSize);
    return enlarge(small, scale);
  }

  private static BufferedImage fromChw(float[] chw, int width, int height) {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int plane = width * height;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = y * width + x;
        out.setRGB(
            x, y, (level(chw[i]) << 16) | (level(chw[plane + i]) << 8) | level(chw[2 * plane + i]));
      }
    }
    return out;
  }

  private static int level(float value) {
    return Math.round(Math.max(0f, Math.min(1f, value)) * 255f);
  }

  /** Nearest-neighbour enlargement, so patch edges stay sharp. */
  public static BufferedImage enlarge(BufferedImage image, int scale) {
    if (scale == 1) {
      return image;
    }
    BufferedImage out =
        new BufferedImage(
            image.getWidth() * scale, image.getHeight() * scale, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
    g.drawImage(image, 0, 0, out.getWidth(), out.getHeight(), null);
    g.dispose();
    return out;
  }

  /**
   * Pictures of equal size in rows, with a title over each column and an optional caption under
   * each picture, on white.
   */
  public static BufferedImage grid(
      List<List<BufferedImage>> rows, List<String> columnTitles, List<List<String>> captions) {
    System.setProperty("java.awt.headless", "true");
    int cellW = rows.get(0).get(0).getWidth();
    int cellH = rows.get(0).get(0).getHeight();
    int columns = rows.stream().mapToInt(List::size).max().orElse(1);
    int captionH = captions == null ? 0 : 14;
    int top = columnTitles.isEmpty() ? GAP : TITLE_HEIGHT;
    int width = GAP + columns * (cellW + GAP);
    int height = top + rows.size() * (cellH + captionH + GAP);
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setColor(Color.DARK_GRAY);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    FontMetrics titles = g.getFontMetrics();
    for (int c = 0; c < columnTitles.size(); c++) {
      String title = columnTitles.get(c);
      int x = GAP + c * (cellW + GAP) + (cellW - titles.stringWidth(title)) / 2;
      g.drawString(title, Math.max(GAP + c * (cellW + GAP), x), TITLE_HEIGHT - 7);
    }
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    FontMetrics small = g.getFontMetrics();
    for (int r = 0; r < rows.size(); r++) {
      int y = top + r * (cellH + captionH + GAP);
      for (int c = 0; c < rows.get(r).size(); c++) {
        int x = GAP + c * (cellW + GAP);
        g.drawImage(rows.get(r).get(c), x, y, null);
        if (captions != null) {
          String caption = captions.get(r).get(c);
          g.drawString(caption, x + (cellW - small.stringWidth(caption)) / 2, y + cellH + 11);
        }
      }
    }
    g.dispose();
    return out;
  }
}
