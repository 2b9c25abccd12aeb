/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.eval;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import org.ccvit.trainer.model.CcvitConfig;
import org.ccvit.trainer.model.ParameterStore;

/**
 * The online k-NN monitor of pre-training: every {@code every} steps, the weighted k-NN top-1 of
 * the current encoder's mean-pooled features on a small labeled set ({@link Knn}). The images are
 * decoded once, at the first evaluation.
 */
public final class KnnMonitor {
  private static final int FEATURE_BATCH = 128;

  /**
   * @param train labeled images whose features vote (files, folders or shards)
   * @param test labeled images that are classified
   * @param trainLimit first images of {@code train} used, 0 = all
   * @param testLimit first images of {@code test} used, 0 = all
   * @param every evaluate after every this many steps
   * @param k neighbours
   * @param temperature vote temperature
   */
  public record Settings(
      List<String> train,
      List<String> test,
      long trainLimit,
      long testLimit,
      long every,
      int k,
      double temperature)
      implements Serializable {
    public Settings {
      if (every < 1 || train.isEmpty() || test.isEmpty()) {
        throw new IllegalArgumentException(
            "the k-NN monitor needs training and test images and an interval >= 1 step, got "
                + every);
      }
      train = List.copyOf(train);
      test = List.copyOf(test);
    }
  }

  private final Settings settings;
  private final CcvitConfig config;
  private LabeledImages train;
  private LabeledImages test;

  public KnnMonitor(Settings settings, CcvitConfig config) {
    this.settings = settings;
    this.config = config;
  }

  /** Whether the monitor evaluates after this step. */
  public boolean due(long step) {
    return step % settings.every() == 0;
  }

  /**
   * k-NN top-1 in [0, 1] of the encoder in {@code parameters} (the pre-training model's store, or
   * any store with the encoder's names).
   */
  public double evaluate(ParameterStore parameters) throws IOException {
    if (train == null) {
      train = read(settings.train(), settings.trainLimit());
      test = read(settings.test(), settings.testLimit());
    }
    FeatureExtractor extractor = new FeatureExtractor(config, parameters);
    float[][] trainFeatures = extractor.extract(train, FEATURE_BATCH, n -> {}).mean();
    float[][] testFeatures = extractor.extract(test, FEATURE_BATCH, n -> {}).mean();
    return new Knn(settings.k(), settings.temperature())
        .evaluate(trainFeatures, train.labels(), testFeatures, test.labels(), 256)
        .top1();
  }

  private LabeledImages read(List<String> paths, long limit) throws IOException {
    return LabeledImages.read(
        paths.stream().map(Path::of).toList(), config.imgSize(), limit, n -> {});
  }
}
