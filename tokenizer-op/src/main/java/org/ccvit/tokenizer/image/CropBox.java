/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

/**
 * A crop of an image, in the coordinates of the image after the optional horizontal flip (the flip
 * is applied first, as in the original transform pipeline).
 */
public record CropBox(int left, int top, int width, int height, boolean flipped) {

  public CropBox {
    if (left < 0 || top < 0 || width <= 0 || height <= 0) {
      throw new IllegalArgumentException(
          "crop box needs left, top >= 0 and a positive size, got left="
              + left
              + ", top="
              + top
              + ", "
              + width
              + "x"
              + height);
    }
  }
}
