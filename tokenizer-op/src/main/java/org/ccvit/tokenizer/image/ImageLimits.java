/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

/**
 * Bounds on what the decoder accepts, checked before any pixel is decoded so that a small file
 * declaring an enormous image (a decompression bomb) costs nothing.
 *
 * @param maxEncodedBytes largest accepted encoded size in bytes
 * @param maxSide largest accepted width or height in pixels
 * @param maxPixels largest accepted width * height
 */
public record ImageLimits(long maxEncodedBytes, int maxSide, long maxPixels)
    implements java.io.Serializable {

  public ImageLimits {
    if (maxEncodedBytes <= 0 || maxSide <= 0 || maxPixels <= 0) {
      throw new IllegalArgumentException(
          "image limits must be positive, got maxEncodedBytes="
              + maxEncodedBytes
              + ", maxSide="
              + maxSide
              + ", maxPixels="
              + maxPixels);
    }
  }

  /** 64 MiB encoded, 16384 pixels per side, 40 megapixels (an RGB copy is then at most 120 MB). */
  public static ImageLimits defaults() {
    return new ImageLimits(64L << 20, 16384, 40_000_000L);
  }
}
