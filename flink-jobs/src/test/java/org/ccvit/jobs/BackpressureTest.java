/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.ccvit.jobs.pretrain.PretrainJob;
import org.ccvit.schemas.CodebookRecord;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.TokenizerConfig;
import org.ccvit.tokenizer.codebook.Codebook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trainer far slower than the source: the source is held back (the images in flight stay a small
 * part of the input instead of piling up in buffers) and checkpoints complete meanwhile.
 */
class BackpressureTest {

  private static final int IMAGES = 600;
  private static final long TRAINER_MILLIS_PER_SAMPLE = 5;

  /** The MiniCluster runs in this JVM: counters shared by the source side and the trainer. */
  private static final AtomicLong READ = new AtomicLong();

  private static final AtomicLong TRAINED = new AtomicLong();
  private static final AtomicLong MAX_IN_FLIGHT = new AtomicLong();
  private static final AtomicInteger CHECKPOINTS_WHILE_BEHIND = new AtomicInteger();

  @TempDir Path tmp;

  @Test
  void aSlowTrainerHoldsBackTheSourceAndCheckpointsStillComplete() throws Exception {
    List<ImageRecord> images = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      images.add(image("img-" + i, i));
    }
    Codebook codebook = codebook();
    CodebookRecord codebookRecord = codebook.toRecord(Map.of());
    StreamExecutionEnvironment env = FlinkEnvironments.create(2, tmp.toString(), 200);
    PretrainJob.Streams streams =
        new PretrainJob(
                TokenizerConfig.forSize(64, 8, 1),
                e ->
                    e.fromData(images, new AvroTypeInfo<>(ImageRecord.class))
                        .map(new CountRead())
                        .returns(new AvroTypeInfo<>(ImageRecord.class)),
                e ->
                    e.fromData(List.of(codebookRecord), new AvroTypeInfo<>(CodebookRecord.class))
                        .setParallelism(1))
            .build(env);
    streams
        .samples()
        .map(new SlowTrainer())
        .returns(new AvroTypeInfo<>(TrainingSample.class))
        .setParallelism(1)
        .sinkTo(new DiscardingSink<>())
        .setParallelism(1);
    streams.rejects().sinkTo(new DiscardingSink<>());
    env.execute("backpressure test");

    assertEquals(IMAGES, TRAINED.get());
    assertTrue(
        MAX_IN_FLIGHT.get() < IMAGES / 2,
        MAX_IN_FLIGHT.get() + " of " + IMAGES + " images were read ahead of the trainer");
    assertTrue(CHECKPOINTS_WHILE_BEHIND.get() > 0, "no checkpoint completed under back-pressure");
  }

  private static final class CountRead implements MapFunction<ImageRecord, ImageRecord> {
    @Override
    public ImageRecord map(ImageRecord image) {
      READ.incrementAndGet();
      return image;
    }
  }

  private static final class SlowTrainer
      implements MapFunction<TrainingSample, TrainingSample>, CheckpointListener {
    @Override
    public TrainingSample map(TrainingSample sample) throws InterruptedException {
      Thread.sleep(TRAINER_MILLIS_PER_SAMPLE);
      long trained = TRAINED.incrementAndGet();
      MAX_IN_FLIGHT.accumulateAndGet(READ.get() - trained, Math::max);
      return sample;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      // Still behind: at least 50 samples left for the trainer.
      if (TRAINED.get() < IMAGES - 50) {
        CHECKPOINTS_WHILE_BEHIND.incrementAndGet();
      }
    }
  }

  private static ImageRecord image(String key, int seed) throws Exception {
    // Noise compresses badly: records of ~15 KB; samples of 64 px are ~13 KB.
    BufferedImage img = new BufferedImage(96, 64, BufferedImage.TYPE_3BYTE_BGR);
    SplittableRandom rng = new SplittableRandom(seed);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 96; x++) {
        img.setRGB(x, y, rng.nextInt(1 << 24));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "jpg", out);
    return ImageRecord.newBuilder()
        .setKey(key)
        .setImage(ByteBuffer.wrap(out.toByteArray()))
        .setFormat("jpg")
        .setSource("noise")
        .build();
  }

  private static Codebook codebook() {
    float[] centroids = new float[16 * 3 * 8 * 8];
    SplittableRandom rng = new SplittableRandom(2);
    for (int i = 0; i < centroids.length; i++) {
      centroids[i] = (float) rng.nextDouble();
    }
    return new Codebook("noise-16", 16, 8, 3, centroids);
  }
}
