/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.ccvit.tokenizer.RejectedInputException;

/**
 * Makes an encoded image fit a byte budget (a Kafka record): decode, bicubic downscale keeping the
 * aspect ratio, re-encode as JPEG quality 90, shrinking further until it fits. Pre-training crops
 * and resizes to 224 px anyway, so a large photo loses nothing the model would see as long as its
 * short side stays above that.
 */
public final class ImageShrinker {

  /** The JPEG quality of the re-encoded image. */
  public static final float QUALITY = 0.9f;

  private static final int MAX_ROUNDS = 12;

  private final ImageDecoder decoder;

  public ImageShrinker(ImageLimits limits) {
    this.decoder = new ImageDecoder(limits);
  }

  /** The result: JPEG bytes and the sizes before and after. */
  public record Shrunk(byte[] jpeg, int fromWidth, int fromHeight, int width, int height) {}

  /**
   * @throws RejectedInputException if the bytes are no usable image, or no downscaled JPEG of at
   *     least 1 pixel per side fits in {@code maxBytes}
   */
  public Shrunk shrink(byte[] encoded, int maxBytes) throws RejectedInputException {
    RgbImage original = decoder.decode(encoded);
    // JPEG size grows roughly with the pixel count: aim below the budget, then correct.
    double scale = Math.min(1.0, Math.sqrt(0.9 * maxBytes / (double) encoded.length));
    for (int round = 0; round < MAX_ROUNDS; round++) {
      int width = Math.max(1, (int) Math.round(original.width() * scale));
      int height = Math.max(1, (int) Math.round(original.height() * scale));
      RgbImage small =
          width == original.width() && height == original.height()
              ? original
              : BicubicResize.resize(original, width, height);
      byte[] jpeg = toJpeg(small);
      if (jpeg.length <= maxBytes) {
        return new Shrunk(jpeg, original.width(), original.height(), width, height);
      }
      if (width == 1 && height == 1) {
        break;
      }
      scale *= Math.min(0.9, Math.sqrt(0.9 * maxBytes / (double) jpeg.length));
    }
    throw new RejectedInputException(
        "ingest",
        "cannot re-encode the "
            + original.width()
            + "x"
            + original.height()
            + " image as a JPEG of at most "
            + maxBytes
            + " bytes");
  }

  private static byte[] toJpeg(RgbImage image) {
    int w = image.width();
    int h = image.height();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
    byte[] chw = image.chw();
    int plane = w * h;
    for (int i = 0; i < plane; i++) {
      bgr[3 * i] = chw[2 * plane + i];
      bgr[3 * i + 1] = chw[plane + i];
      bgr[3 * i + 2] = chw[i];
    }
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
    if (!writers.hasNext()) {
      throw new IllegalStateException("this JDK has no ImageIO JPEG writer");
    }
    ImageWriter writer = writers.next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(stream);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(QUALITY);
      writer.write(null, new IIOImage(out, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException("JPEG encoding in memory failed", e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }
}
