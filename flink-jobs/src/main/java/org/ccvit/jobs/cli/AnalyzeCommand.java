/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ccvit.jobs.options.ModelOptions;
import org.ccvit.jobs.report.TokenizerTables;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.SampleMaker;
import org.ccvit.tokenizer.TokenizerConfig;
import org.ccvit.tokenizer.analysis.TokenStability;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.random.SampleRandom;
import org.ccvit.trainer.Predictor;
import org.ccvit.trainer.SamplePrediction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The paper's Tables 4 and 11 for a codebook (and a model). */
@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    description =
        "The paper's tokenizer analyses on the images' center views: the share of tokens unchanged"
            + " after masking 10, 20, 50%% of the patches (Table 4), under Gaussian noise sigma 1,"
            + " 10, 25 and Gaussian blur sigma 0.5, 1, 2 (Table 11), and with --weights the"
            + " model's token accuracy on the masked positions of the pre-training corruption."
            + " Prints Markdown tables beside the paper's centroid figures.")
final class AnalyzeCommand implements Callable<Integer> {

  @Mixin ModelOptions model;

  @Option(names = "--codebook", required = true, description = "Codebook (centroids.npy).")
  Path codebookFile;

  @Option(
      names = "--images",
      arity = "1..*",
      required = true,
      description = "Image files, folders or WebDataset shards.")
  List<Path> images;

  @Option(
      names = "--limit",
      defaultValue = "0",
      description = "Use only the first N images, 0 = all (default: ${DEFAULT-VALUE}).")
  long limit;

  @Option(
      names = "--weights",
      description = "Model weights (safetensors) for the token accuracy on masked positions.")
  Path weights;

  @Option(
      names = "--threads",
      defaultValue = "2",
      description = "Threads for decoding and tokenizing (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of the masks and replaced patches (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--batch-size",
      defaultValue = "16",
      description = "Images per forward pass of the model (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Override
  public Integer call() throws Exception {
    int size = model.imageSize();
    int patchSize = model.patchSize();
    Codebook codebook = Codebook.readNpy(codebookFile, patchSize, 3);
    long start = System.nanoTime();
    List<CenterViews.View> views = CenterViews.read(images, limit, size, threads);
    TokenStability stability =
        new TokenStability(TokenizerTables.perturbations(patchSize), patchSize);
    CenterViews.eachWithSearch(
        views,
        codebook,
        threads,
        (view, search) ->
            stability.add(
                view.image(),
                search,
                SampleRandom.of(seed, view.key(), 0, SampleRandom.Purpose.AUGMENT)));
    double accuracy = weights == null ? Double.NaN : tokenAccuracy(codebook, views);
    System.out.printf(
        Locale.ROOT,
        "analyze: codebook %s (K=%d), %d images, seed %d, %.1f s%n%n",
        codebook.version(),
        codebook.k(),
        views.size(),
        seed,
        (System.nanoTime() - start) / 1e9);
    System.out.print(TokenizerTables.markdown(stability.rows(), accuracy));
    return 0;
  }

  /** Percent of masked positions whose token the model predicts, over all views. */
  private double tokenAccuracy(Codebook codebook, List<CenterViews.View> views) {
    SampleMaker maker =
        new SampleMaker(
            TokenizerConfig.forSize(model.imageSize(), model.patchSize(), seed), codebook);
    long correct = 0;
    long masked = 0;
    try (Predictor predictor = new Predictor(model.model(codebook.k()), codebook, weights)) {
      for (int start = 0; start < views.size(); start += batchSize) {
        List<TrainingSample> batch = new ArrayList<>();
        for (CenterViews.View view :
            views.subList(start, Math.min(views.size(), start + batchSize))) {
          batch.add(maker.make(view.key(), 0, view.image()));
        }
        for (SamplePrediction p : predictor.predict(batch)) {
          correct += p.correctMasked();
          masked += p.masked();
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "analyze: token accuracy %d of %d masked positions (%s)%n",
        correct,
        masked,
        weights);
    return 100.0 * correct / masked;
  }
}
