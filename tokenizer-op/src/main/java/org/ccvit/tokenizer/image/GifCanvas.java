/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The canvas Pillow puts a GIF's first frame on: the logical screen, grown to hold the frame if it
 * sticks out, filled with the frame's transparent index (else index 0), with the frame at its
 * offset. The JDK's reader returns the frame alone, so this places it. Only headers are read, so
 * the size limits apply to the canvas before any pixel is decoded.
 */
record GifCanvas(int width, int height, int left, int top, int fillIndex) {
  private static final String STREAM_FORMAT = "javax_imageio_gif_stream_1.0";
  private static final String IMAGE_FORMAT = "javax_imageio_gif_image_1.0";

  static GifCanvas of(ImageReader reader) throws IOException {
    Node stream = metadataTree(reader.getStreamMetadata(), STREAM_FORMAT);
    Node image = metadataTree(reader.getImageMetadata(0), IMAGE_FORMAT);
    Element frame = child(image, "ImageDescriptor");
    if (frame == null) {
      throw new IOException("no image descriptor for the first frame");
    }
    int left = intAttribute(frame, "imageLeftPosition");
    int top = intAttribute(frame, "imageTopPosition");
    int right = left + intAttribute(frame, "imageWidth");
    int bottom = top + intAttribute(frame, "imageHeight");
    Element screen = stream == null ? null : child(stream, "LogicalScreenDescriptor");
    int width = Math.max(right, screen == null ? 0 : intAttribute(screen, "logicalScreenWidth"));
    int height = Math.max(bottom, screen == null ? 0 : intAttribute(screen, "logicalScreenHeight"));
    Element control = child(image, "GraphicControlExtension");
    int fill =
        control != null && Boolean.parseBoolean(control.getAttribute("transparentColorFlag"))
            ? intAttribute(control, "transparentColorIndex")
            : 0;
    return new GifCanvas(width, height, left, top, fill);
  }

  /** The decoded first frame placed on the canvas, as RGB through its palette. */
  RgbImage place(BufferedImage frame) {
    IndexColorModel palette = (IndexColorModel) frame.getColorModel();
    Raster raster = frame.getRaster();
    int w = frame.getWidth();
    int h = frame.getHeight();
    int[] pixels = raster.getSamples(raster.getMinX(), raster.getMinY(), w, h, 0, (int[]) null);
    if (left == 0 && top == 0 && w == width && h == height) {
      return PillowRgb.fromPalette(pixels, palette, width, height);
    }
    int[] canvas = new int[width * height];
    Arrays.fill(canvas, fillIndex);
    for (int y = 0; y < h; y++) {
      System.arraycopy(pixels, y * w, canvas, (top + y) * width + left, w);
    }
    return PillowRgb.fromPalette(canvas, palette, width, height);
  }

  private static Node metadataTree(IIOMetadata metadata, String format) {
    return metadata == null ? null : metadata.getAsTree(format);
  }

  private static Element child(Node parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n.getNodeName().equals(name)) {
        return (Element) n;
      }
    }
    return null;
  }

  private static int intAttribute(Element element, String name) {
    return Integer.parseInt(element.getAttribute(name));
  }
}
