/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.ccvit.jobs.options.EvalOptions;
import org.ccvit.trainer.eval.FeatureExtractor;
import org.ccvit.trainer.eval.LabeledImages;
import org.ccvit.trainer.eval.LinearProbe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Linear-probe accuracy of the frozen encoder. */
@Command(
    name = "probe",
    mixinStandardHelpOptions = true,
    description = {
      "Linear probe on frozen encoder features, as MAE's: BatchNorm without affine parameters",
      "then a linear classifier, trained by SGD (momentum 0.9, warm-up + cosine) on the",
      "training images' features; prints test top-1 and top-5, and top1=NN.NN."
    })
final class ProbeCommand implements Callable<Integer> {

  @Mixin EvalOptions eval;

  @Option(
      names = "--epochs",
      defaultValue = "30",
      description = "Passes over the training features (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(
      names = "--batch-size",
      defaultValue = "256",
      description = "Features per SGD step (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--lr",
      defaultValue = "0.1",
      description = "Peak learning rate, MAE's 0.1 per 256 (default: ${DEFAULT-VALUE}).")
  double lr;

  @Option(
      names = "--weight-decay",
      defaultValue = "0",
      description = "L2 penalty of the weights, MAE's 0 (default: ${DEFAULT-VALUE}).")
  double weightDecay;

  @Option(
      names = "--pool",
      defaultValue = "mean",
      description = "Features: mean (mean-pooled patch states) or cls (default: ${DEFAULT-VALUE}).")
  String pool;

  @Override
  public Integer call() throws Exception {
    long start = System.nanoTime();
    EvalOptions.Frozen frozen = eval.frozen();
    LabeledImages train = frozen.train();
    LabeledImages test = frozen.test();
    FeatureExtractor.Features trainFeatures = frozen.trainFeatures();
    FeatureExtractor.Features testFeatures = frozen.testFeatures();
    LinearProbe.Result r =
        LinearProbe.train(
            trainFeatures.pooled(pool),
            train.labels(),
            testFeatures.pooled(pool),
            test.labels(),
            new LinearProbe.Settings(epochs, batchSize, lr, weightDecay, eval.seed),
            e -> System.err.printf(Locale.ROOT, "probe: epoch %d/%d%n", e, epochs));
    System.out.printf(
        Locale.ROOT,
        "probe %s: top1 %.2f%% top5 %.2f%% (train loss %.4f -> %.4f)%n",
        pool,
        100 * r.top1(),
        100 * r.top5(),
        r.epochLoss()[0],
        r.epochLoss()[epochs - 1]);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("pool", pool);
    details.put("epochs", epochs);
    details.put("batch_size", batchSize);
    details.put("lr", lr);
    details.put("top5", 100 * r.top5());
    details.put("epoch_train_loss", r.epochLoss());
    details.put("train_images", train.count());
    details.put("test_images", test.count());
    details.put("wall_seconds", (System.nanoTime() - start) / 1e9);
    eval.report("probe", r.top1(), details);
    return 0;
  }
}
