/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.ccvit.tokenizer.RejectedInputException;
import org.ccvit.tokenizer.io.ImageSources;

/**
 * Throughput of decoding and of the pre-training augmentation on Imagenette (224x224 JPEG), on one
 * thread. Usage: {@code AugmentBenchmark [images=500] [datasetsDir]}. Prints the best of 3 rounds.
 */
public final class AugmentBenchmark {
  private AugmentBenchmark() {}

  public static void main(String[] args) throws IOException, RejectedInputException {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    String datasets =
        args.length > 1 ? args[1] : System.getProperty("ccvit.datasets.dir", "../shared/datasets");
    Path shard = Path.of(datasets, "imagenette-224", "train-00000.tar.gz");
    List<byte[]> encoded = new ArrayList<>();
    ImageSources.readAll(
        List.of(shard),
        n,
        r -> {
          ByteBuffer b = r.getImage().duplicate();
          byte[] bytes = new byte[b.remaining()];
          b.get(bytes);
          encoded.add(bytes);
        });
    ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults());
    Augmentation augmentation = Augmentation.original(224);
    List<RgbImage> decoded = new ArrayList<>();
    double bestDecode = 0;
    double bestAugment = 0;
    long checksum = 0;
    for (int round = 0; round < 3; round++) {
      decoded.clear();
      long t0 = System.nanoTime();
      for (byte[] bytes : encoded) {
        decoded.add(decoder.decode(bytes));
      }
      long t1 = System.nanoTime();
      for (int i = 0; i < decoded.size(); i++) {
        checksum += augmentation.apply(decoded.get(i), new SplittableRandom(i)).chw()[0];
      }
      long t2 = System.nanoTime();
      bestDecode = Math.max(bestDecode, encoded.size() / ((t1 - t0) / 1e9));
      bestAugment = Math.max(bestAugment, encoded.size() / ((t2 - t1) / 1e9));
    }
    System.out.printf(
        "%d Imagenette images, best of 3 rounds, one thread:%n"
            + "  decode (224x224 JPEG -> RgbImage):            %8.1f images/s%n"
            + "  augment (flip + RandomResizedCrop + bicubic): %8.1f images/s%n"
            + "  (checksum %d)%n",
        encoded.size(), bestDecode, bestAugment, checksum);
  }
}
