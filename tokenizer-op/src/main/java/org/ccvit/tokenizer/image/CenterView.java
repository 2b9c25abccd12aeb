/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

/**
 * The deterministic view used to build codebooks and to tokenize: torchvision's Resize(round(size *
 * 8 / 7), bicubic) then CenterCrop(size), i.e. Resize(256) + CenterCrop(224) for size 224.
 */
public final class CenterView {
  private CenterView() {}

  public static RgbImage of(RgbImage img, int size) {
    if (size <= 0) {
      throw new IllegalArgumentException("view size must be positive, got " + size);
    }
    if (img.width() == size && img.height() == size) {
      return img;
    }
    int shortSide = (int) Math.rint(size * 8.0 / 7.0);
    int width = img.width();
    int height = img.height();
    // torchvision Resize(int): the short side becomes shortSide, the long side int(short * long /
    // short) truncated.
    int newWidth;
    int newHeight;
    if (width <= height) {
      newWidth = shortSide;
      newHeight = (int) ((double) ((long) shortSide * height) / width);
    } else {
      newHeight = shortSide;
      newWidth = (int) ((double) ((long) shortSide * width) / height);
    }
    RgbImage resized = BicubicResize.resize(img, newWidth, newHeight);
    int top = (int) Math.rint((newHeight - size) / 2.0);
    int left = (int) Math.rint((newWidth - size) / 2.0);
    return BicubicResize.crop(resized, left, top, size, size);
  }
}
