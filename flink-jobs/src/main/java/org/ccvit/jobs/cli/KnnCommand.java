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
import org.ccvit.trainer.eval.Knn;
import org.ccvit.trainer.eval.LabeledImages;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Weighted k-NN accuracy of the frozen encoder. */
@Command(
    name = "knn",
    mixinStandardHelpOptions = true,
    description = {
      "Weighted k-NN on frozen, L2-normalized encoder features (the DINO/iBOT protocol):",
      "the k most similar training images vote with weight exp(cosine / T). Prints top-1 and",
      "top-5 for the CLS and the mean-pooled patch features, and top1=NN.NN for --pool."
    })
final class KnnCommand implements Callable<Integer> {

  @Mixin EvalOptions eval;

  @Option(
      names = "--k",
      defaultValue = "20",
      description = "Neighbours (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(
      names = "--temperature",
      defaultValue = "0.07",
      description = "Vote temperature T (default: ${DEFAULT-VALUE}).")
  double temperature;

  @Option(
      names = "--pool",
      defaultValue = "mean",
      description =
          "Features whose top-1 is the result: mean (mean-pooled patch states, as the original's"
              + " fine-tuning) or cls (default: ${DEFAULT-VALUE}).")
  String pool;

  @Override
  public Integer call() throws Exception {
    long start = System.nanoTime();
    EvalOptions.Frozen frozen = eval.frozen();
    LabeledImages train = frozen.train();
    LabeledImages test = frozen.test();
    FeatureExtractor.Features trainFeatures = frozen.trainFeatures();
    FeatureExtractor.Features testFeatures = frozen.testFeatures();
    Knn knn = new Knn(k, temperature);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("k", k);
    details.put("temperature", temperature);
    details.put("pool", pool);
    details.put("train_images", train.count());
    details.put("test_images", test.count());
    double top1 = Double.NaN;
    for (String p : new String[] {"mean", "cls"}) {
      Knn.Accuracy a =
          knn.evaluate(
              trainFeatures.pooled(p), train.labels(), testFeatures.pooled(p), test.labels(), 256);
      System.out.printf(
          Locale.ROOT, "knn %s: top1 %.2f%% top5 %.2f%%%n", p, 100 * a.top1(), 100 * a.top5());
      details.put(p + "_top1", 100 * a.top1());
      details.put(p + "_top5", 100 * a.top5());
      if (p.equals(pool)) {
        top1 = a.top1();
      }
    }
    if (Double.isNaN(top1)) {
      throw new IllegalArgumentException("--pool is mean or cls, got " + pool);
    }
    details.put("wall_seconds", (System.nanoTime() - start) / 1e9);
    eval.report("knn", top1, details);
    return 0;
  }
}
