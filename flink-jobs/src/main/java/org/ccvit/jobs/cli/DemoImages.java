/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * The demo's images: the shared photos when they are there, otherwise a synthetic set drawn here,
 * so that the demo needs nothing but the clone. The synthetic images are deterministic (a fixed
 * seed, Java2D's software rendering, PNG): on a two-colour gradient, a few discs, rectangles, bars
 * and checkerboards in colours from a small palette. Large flat regions, edges and repeated
 * textures give the codebook distinct tokens and the model context to predict them from, so the
 * loss falls clearly within the demo's few hundred steps.
 */
final class DemoImages {
  static final int COUNT = 36;
  static final int WIDTH = 320;
  static final int HEIGHT = 240;
  private static final long SEED = 7;

  private static final Color[] PALETTE = {
    new Color(0xD7263D), new Color(0xF46036), new Color(0xFFD23F), new Color(0x2E294E),
    new Color(0x1B998B), new Color(0x3BCEAC), new Color(0x0EAD69), new Color(0xEEEEEE),
    new Color(0x222222), new Color(0x5E81AC)
  };

  private DemoImages() {}

  /**
   * The shared photos ({@code <sharedDir>/datasets/photos/images}) if present, else the synthetic
   * set written to {@code <out>/synthetic-images}.
   */
  static Path defaultImages(Path sharedDir, Path out) {
    Path photos = sharedDir.resolve("datasets/photos/images");
    if (Files.isDirectory(photos)) {
      System.out.println("demo: images from " + photos.toAbsolutePath());
      return photos;
    }
    Path synthetic = out.resolve("synthetic-images");
    write(synthetic);
    System.out.println(
        "demo: no shared photos at "
            + photos.toAbsolutePath()
            + "; drew "
            + COUNT
            + " synthetic "
            + WIDTH
            + "x"
            + HEIGHT
            + " images into "
            + synthetic.toAbsolutePath());
    return synthetic;
  }

  /** Writes the synthetic set, {@code synthetic-00.png} ... , replacing files of those names. */
  static void write(Path dir) {
    try {
      Files.createDirectories(dir);
      SplittableRandom random = new SplittableRandom(SEED);
      for (int i = 0; i < COUNT; i++) {
        BufferedImage image = draw(random.split());
        ImageIO.write(
            image,
            "png",
            dir.resolve(String.format(Locale.ROOT, "synthetic-%02d.png", i)).toFile());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the synthetic demo images to " + dir, e);
    }
  }

  static BufferedImage draw(SplittableRandom random) {
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setPaint(
          new GradientPaint(0, 0, colour(random), random.nextInt(WIDTH), HEIGHT, colour(random)));
      g.fillRect(0, 0, WIDTH, HEIGHT);
      int shapes = 3 + random.nextInt(4);
      for (int s = 0; s < shapes; s++) {
        int w = 40 + random.nextInt(140);
        int h = 40 + random.nextInt(120);
        int x = random.nextInt(WIDTH - 20) - w / 3;
        int y = random.nextInt(HEIGHT - 20) - h / 3;
        switch (random.nextInt(4)) {
          case 0 -> {
            g.setColor(colour(random));
            g.fillOval(x, y, w, w);
          }
          case 1 -> {
            AffineTransform saved = g.getTransform();
            g.rotate(random.nextDouble(-0.6, 0.6), x + w / 2.0, y + h / 2.0);
            g.setColor(colour(random));
            g.fillRect(x, y, w, h);
            g.setTransform(saved);
          }
          case 2 -> bars(g, random, x, y, w, h);
          default -> checkers(g, random, x, y, w, h);
        }
      }
    } finally {
      g.dispose();
    }
    return image;
  }

  private static void bars(Graphics2D g, SplittableRandom random, int x, int y, int w, int h) {
    int gap = 8 + random.nextInt(12);
    g.setStroke(new BasicStroke(gap / 2f));
    g.setColor(colour(random));
    boolean vertical = random.nextBoolean();
    for (int i = 0; i < (vertical ? w : h); i += gap) {
      if (vertical) {
        g.drawLine(x + i, y, x + i, y + h);
      } else {
        g.drawLine(x, y + i, x + w, y + i);
      }
    }
  }

  private static void checkers(Graphics2D g, SplittableRandom random, int x, int y, int w, int h) {
    int cell = 8 + random.nextInt(16);
    Color a = colour(random);
    Color b = colour(random);
    for (int cy = 0; cy * cell < h; cy++) {
      for (int cx = 0; cx * cell < w; cx++) {
        g.setColor((cx + cy) % 2 == 0 ? a : b);
        g.fillRect(x + cx * cell, y + cy * cell, cell, cell);
      }
    }
  }

  private static Color colour(SplittableRandom random) {
    return PALETTE[random.nextInt(PALETTE.length)];
  }
}
