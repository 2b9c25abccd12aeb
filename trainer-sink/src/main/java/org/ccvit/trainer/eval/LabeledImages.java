/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.RejectedInputException;
import org.ccvit.tokenizer.image.CenterView;
import org.ccvit.tokenizer.image.ImageDecoder;
import org.ccvit.tokenizer.image.ImageLimits;
import org.ccvit.tokenizer.image.RgbImage;
import org.ccvit.tokenizer.io.ImageSources;
import org.ccvit.trainer.TrainingBatch;

/**
 * Labeled images decoded once: the deterministic center view at the model's size (CHW bytes) and
 * the class index from each sample's WebDataset {@code .cls} member.
 *
 * @param images decoded images, all {@code size} x {@code size}
 * @param labels class index of each image
 * @param size side of every image
 */
public record LabeledImages(List<RgbImage> images, int[] labels, int size) {

  /**
   * Reads up to {@code limit} labeled images (limit <= 0: all) from files, folders or shards.
   *
   * @param progress receives the number of images decoded so far, now and then
   * @throws IllegalArgumentException if an image has no label or cannot be decoded
   */
  public static LabeledImages read(List<Path> inputs, int size, long limit, IntConsumer progress)
      throws IOException {
    List<ImageRecord> records = new ArrayList<>();
    ImageSources.readAll(ImageSources.expand(inputs), limit, records::add);
    if (records.isEmpty()) {
      throw new IllegalArgumentException("no images in " + inputs);
    }
    int[] labels = new int[records.size()];
    for (int i = 0; i < labels.length; i++) {
      Integer label = records.get(i).getLabel();
      if (label == null) {
        throw new IllegalArgumentException(
            "image " + records.get(i).getKey() + " has no label (a KEY.cls member in its shard)");
      }
      labels[i] = label;
    }
    ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults());
    RgbImage[] images = new RgbImage[records.size()];
    int every = Math.max(1, images.length / 10);
    IntStream.range(0, images.length)
        .parallel()
        .forEach(
            i -> {
              ImageRecord r = records.get(i);
              try {
                images[i] = CenterView.of(decoder.decode(bytes(r.getImage())), size);
              } catch (RejectedInputException e) {
                throw new IllegalArgumentException("cannot decode " + r.getKey() + ": " + e, e);
              }
              if ((i + 1) % every == 0) {
                progress.accept(i + 1);
              }
            });
    return new LabeledImages(List.of(images), labels, size);
  }

  private static byte[] bytes(java.nio.ByteBuffer buffer) {
    java.nio.ByteBuffer view = buffer.duplicate();
    byte[] out = new byte[view.remaining()];
    view.get(out);
    return out;
  }

  public int count() {
    return labels.length;
  }

  /** Number of classes: the largest label + 1. */
  public int numClasses() {
    return IntStream.of(labels).max().orElse(-1) + 1;
  }

  /** Images {@code [from, to)} normalized with the ImageNet mean and std, [B, 3, size, size]. */
  public float[] normalized(int from, int to) {
    return normalize(images.subList(from, to), size);
  }

  /** Images normalized with the ImageNet mean and std as the model's input, [B, 3, side, side]. */
  public static float[] normalize(List<RgbImage> batch, int side) {
    int plane = side * side;
    float[] out = new float[batch.size() * 3 * plane];
    for (int b = 0; b < batch.size(); b++) {
      byte[] chw = batch.get(b).chw();
      for (int k = 0; k < chw.length; k++) {
        int ch = k / plane;
        out[b * chw.length + k] =
            ((chw[k] & 0xff) / 255f - TrainingBatch.MEAN[ch]) / TrainingBatch.STD[ch];
      }
    }
    return out;
  }
}
