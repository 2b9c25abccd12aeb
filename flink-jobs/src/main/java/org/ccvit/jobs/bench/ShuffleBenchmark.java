/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.ccvit.schemas.AvroCodec;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.RejectedInputException;
import org.ccvit.tokenizer.SampleMaker;
import org.ccvit.tokenizer.TokenizerConfig;
import org.ccvit.tokenizer.io.ImageSources;
import org.ccvit.tokenizer.random.SeededDraws;
import org.ccvit.trainer.ShuffleBuffer;

/**
 * What the trainer's shuffle buffer does to a class-sorted stream, and what it costs. Mixing: the
 * labelled images sorted by label (a folder of class folders), through buffers of several sizes,
 * scored by {@link LabelMixing} against uniform draws and against {@code ingest --shuffle} of such
 * a folder (a seeded uniform order). Cost: real samples of the given view through the buffer
 * (samples/s of the buffer alone), and what the buffer adds to every checkpoint (bytes, and the
 * time to encode them on the trainer's thread).
 */
public final class ShuffleBenchmark {

  /** What to run. */
  public record Settings(
      List<Path> images,
      int batchSize,
      List<Integer> buffers,
      long seed,
      int trials,
      int imageSize,
      int patchSize,
      int k) {}

  private final Settings s;
  private final PrintStream out;

  public ShuffleBenchmark(Settings settings, PrintStream out) {
    this.s = settings;
    this.out = out;
  }

  public void run() throws IOException, RejectedInputException {
    List<ImageRecord> images = new ArrayList<>();
    ImageSources.readAll(s.images(), 0, r -> images.add(r));
    List<ImageRecord> labelled = images.stream().filter(r -> r.getLabel() != null).toList();
    if (labelled.isEmpty()) {
      throw new IllegalArgumentException(
          "no labelled images (WebDataset .cls members) in the input");
    }
    int[] sorted =
        labelled.stream()
            .map(ImageRecord::getLabel)
            .sorted(Comparator.naturalOrder())
            .mapToInt(Integer::intValue)
            .toArray();
    out.printf(
        Locale.ROOT,
        "mixing: %d labelled images sorted by label, batches of %d, seed %d%n",
        sorted.length,
        s.batchSize(),
        s.seed());
    out.printf(
        Locale.ROOT,
        "  arrival order (no buffer)          %.3f nats%n",
        LabelMixing.meanBatchEntropy(sorted, s.batchSize()));
    for (int size : s.buffers()) {
      ShuffleBuffer<Integer> buffer = new ShuffleBuffer<>(size, s.seed());
      int[] trained = new int[sorted.length];
      int n = 0;
      for (int label : sorted) {
        Integer released = buffer.offer(label);
        if (released != null) {
          trained[n++] = released;
        }
      }
      for (int label : buffer.drain()) {
        trained[n++] = label;
      }
      out.printf(
          Locale.ROOT,
          "  shuffle buffer %-8d           %.3f nats%n",
          size,
          LabelMixing.meanBatchEntropy(trained, s.batchSize()));
    }
    List<Integer> ingested = new ArrayList<>();
    for (int label : sorted) {
      ingested.add(label);
    }
    SeededDraws.shuffle(ingested, SeededDraws.derive(s.seed(), 0));
    out.printf(
        Locale.ROOT,
        "  ingest --shuffle (one file each)   %.3f nats%n",
        LabelMixing.meanBatchEntropy(
            ingested.stream().mapToInt(Integer::intValue).toArray(), s.batchSize()));
    LabelMixing.Uniform uniform = LabelMixing.uniform(sorted, s.batchSize(), s.trials(), s.seed());
    out.printf(
        Locale.ROOT,
        "  uniform draws                      %.3f nats (sd %.4f over %d orders)%n",
        uniform.mean(),
        uniform.sd(),
        uniform.trials());
    cost(images);
  }

  private void cost(List<ImageRecord> images) throws RejectedInputException, IOException {
    List<ImageRecord> some = images.subList(0, Math.min(256, images.size()));
    SampleMaker maker =
        new SampleMaker(
            TokenizerConfig.forSize(s.imageSize(), s.patchSize(), s.seed()),
            QuickCodebook.draw(
                some.subList(0, Math.min(64, some.size())),
                s.imageSize(),
                s.patchSize(),
                s.k(),
                s.seed()));
    List<TrainingSample> samples = new ArrayList<>();
    for (ImageRecord r : some) {
      samples.add(maker.make(r, 0));
    }
    AvroCodec<TrainingSample> codec = new AvroCodec<>(TrainingSample.class);
    long bytes = 0;
    for (TrainingSample sample : samples) {
      bytes += codec.encode(sample).length + 4;
    }
    double perSample = (double) bytes / samples.size();
    out.printf(
        Locale.ROOT,
        "cost: %d px view, %d samples; %.0f bytes per sample in a checkpoint%n",
        s.imageSize(),
        samples.size(),
        perSample);
    for (int size : s.buffers()) {
      ShuffleBuffer<TrainingSample> buffer = new ShuffleBuffer<>(size, s.seed());
      int offers = Math.max(200_000, 4 * size);
      long start = System.nanoTime();
      for (int i = 0; i < offers; i++) {
        buffer.offer(samples.get(i % samples.size()));
      }
      double offerSeconds = (System.nanoTime() - start) / 1e9;
      // A checkpoint encodes every sample the buffer holds (best of 3).
      double encodeSeconds = Double.MAX_VALUE;
      for (int repeat = 0; repeat < 3; repeat++) {
        long t = System.nanoTime();
        for (TrainingSample held : buffer.contents()) {
          codec.encode(held);
        }
        encodeSeconds = Math.min(encodeSeconds, (System.nanoTime() - t) / 1e9);
      }
      out.printf(
          Locale.ROOT,
          "  buffer %-8d %12.0f samples/s through the buffer; checkpoint +%.1f MB, encoded in %.1f ms%n",
          size,
          offers / offerSeconds,
          buffer.size() * perSample / 1e6,
          encodeSeconds * 1e3);
    }
  }
}
