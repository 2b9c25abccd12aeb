/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.schemas.TokenIds;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.image.Augmentation;
import org.ccvit.tokenizer.image.ImageDecoder;
import org.ccvit.tokenizer.image.RgbImage;
import org.ccvit.tokenizer.masking.BlockMaskGenerator;
import org.ccvit.tokenizer.masking.CorruptionPlan;
import org.ccvit.tokenizer.patch.Patches;
import org.ccvit.tokenizer.random.SampleRandom;
import org.ccvit.tokenizer.search.NearestCentroidSearch;

/**
 * Turns one encoded image into one training sample: decode, the original augmentation, centroid
 * tokens for every patch, blockwise masking and replacement. Every random choice comes from (run
 * seed, key, epoch), so a sample can be replayed anywhere. The time of each stage goes to a {@link
 * StageTimer}. Not thread-safe: one per task.
 */
public final class SampleMaker {

  private static final int CHANNELS = 3;

  private final TokenizerConfig config;
  private final Codebook codebook;
  private final ImageDecoder decoder;
  private final Augmentation augmentation;
  private final NearestCentroidSearch search;
  private final BlockMaskGenerator maskGenerator;
  private final StageTimer timer;

  public SampleMaker(TokenizerConfig config, Codebook codebook) {
    this(config, codebook, StageTimer.NONE);
  }

  public SampleMaker(TokenizerConfig config, Codebook codebook, StageTimer timer) {
    requireCompatible(config, codebook);
    this.config = config;
    this.timer = timer;
    this.codebook = codebook;
    this.decoder = new ImageDecoder(config.limits());
    this.augmentation = Augmentation.original(config.imageSize());
    this.search = NearestCentroidSearch.exact(codebook);
    this.maskGenerator =
        new BlockMaskGenerator(
            config.gridSize(),
            config.gridSize(),
            config.numMasked(),
            config.minBlockPatches(),
            0,
            config.minAspect());
  }

  /** Refuses, with what to fix, a codebook whose patches are not this configuration's. */
  public static void requireCompatible(TokenizerConfig config, Codebook codebook) {
    if (codebook.k() > TokenIds.MAX_CODEBOOK_SIZE) {
      throw new IllegalArgumentException(
          "codebook "
              + codebook.version()
              + " has K = "
              + codebook.k()
              + " centroids; samples carry 16-bit token ids, so K must be at most "
              + TokenIds.MAX_CODEBOOK_SIZE);
    }
    if (codebook.patchSize() != config.patchSize() || codebook.channels() != CHANNELS) {
      throw new IllegalArgumentException(
          "codebook "
              + codebook.version()
              + " holds "
              + codebook.channels()
              + "x"
              + codebook.patchSize()
              + "x"
              + codebook.patchSize()
              + " patches but the configuration needs "
              + CHANNELS
              + "x"
              + config.patchSize()
              + "x"
              + config.patchSize()
              + ": build a codebook with --patch-size "
              + config.patchSize()
              + " or change the model's patch size");
    }
  }

  public Codebook codebook() {
    return codebook;
  }

  /**
   * @throws RejectedInputException for bytes that are no usable image (see {@link ImageDecoder})
   *     and for images with a side shorter than one patch, whose view would be all invented pixels
   */
  public TrainingSample make(ImageRecord record, int epoch) throws RejectedInputException {
    String key = record.getKey();
    long t0 = System.nanoTime();
    RgbImage decoded = decoder.decode(toArray(record.getImage()));
    requirePatchSized(decoded);
    long t1 = System.nanoTime();
    timer.record(PipelineStage.DECODE, t1 - t0);
    SplittableRandom augmentRng =
        SampleRandom.of(config.seed(), key, epoch, SampleRandom.Purpose.AUGMENT);
    RgbImage view = augmentation.apply(decoded, augmentRng);
    long t2 = System.nanoTime();
    timer.record(PipelineStage.AUGMENT, t2 - t1);
    return tokenizeAndCorrupt(key, epoch, view, t2);
  }

  /**
   * The sample of an already made view (e.g. the deterministic center view, to look at what a model
   * predicts): its tokens and the corruption that (run seed, key, epoch) draws, as for training.
   */
  public TrainingSample make(String key, int epoch, RgbImage view) {
    if (view.width() != config.imageSize() || view.height() != config.imageSize()) {
      throw new IllegalArgumentException(
          "view is "
              + view.width()
              + "x"
              + view.height()
              + ", the configuration needs "
              + config.imageSize()
              + "x"
              + config.imageSize());
    }
    return tokenizeAndCorrupt(key, epoch, view, System.nanoTime());
  }

  private TrainingSample tokenizeAndCorrupt(String key, int epoch, RgbImage view, long start) {
    int size = config.imageSize();
    float[] patches = Patches.fromChwBytes(view.chw(), CHANNELS, size, size, config.patchSize());
    int[] ids = search.assign(patches, config.numPatches());
    long tokenized = System.nanoTime();
    timer.record(PipelineStage.TOKENIZE, tokenized - start);
    CorruptionPlan plan =
        CorruptionPlan.draw(
            maskGenerator,
            config.numReplaced(),
            SampleRandom.of(config.seed(), key, epoch, SampleRandom.Purpose.MASK),
            SampleRandom.of(config.seed(), key, epoch, SampleRandom.Purpose.REPLACE));
    TrainingSample sample =
        TrainingSample.newBuilder()
            .setKey(key)
            .setEpoch(epoch)
            .setCodebookVersion(codebook.version())
            .setImageSize(size)
            .setChannels(CHANNELS)
            .setPixels(ByteBuffer.wrap(view.chw()))
            .setTokenIds(TokenIds.pack(ids))
            .setMaskedPositions(boxed(plan.masked()))
            .setReplacedPositions(boxed(plan.replaced()))
            .build();
    timer.record(PipelineStage.MASK, System.nanoTime() - tokenized);
    return sample;
  }

  private void requirePatchSized(RgbImage image) throws RejectedInputException {
    int p = config.patchSize();
    if (image.width() < p || image.height() < p) {
      throw new RejectedInputException(
          "decode",
          "image is "
              + image.width()
              + "x"
              + image.height()
              + ", smaller than one "
              + p
              + "x"
              + p
              + " patch; expected at least "
              + p
              + " pixels per side (upscaling it would invent every patch)");
    }
  }

  private static byte[] toArray(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }

  private static List<Integer> boxed(int[] values) {
    List<Integer> list = new ArrayList<>(values.length);
    for (int v : values) {
      list.add(v);
    }
    return list;
  }
}
