/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.ccvit.jobs.options.EvalOptions;
import org.ccvit.trainer.eval.Finetuner;
import org.ccvit.trainer.eval.LabeledImages;
import org.ccvit.trainer.model.ParameterStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Fine-tunes the encoder with a new classification head and reports top-1 per epoch. */
@Command(
    name = "finetune",
    mixinStandardHelpOptions = true,
    description = {
      "Fine-tune the encoder with the original recipe scaled down: mean-pooled patch states,",
      "fc_norm and a linear head; AdamW with layer decay, warm-up + cosine, label smoothing,",
      "stochastic depth, RandomResizedCrop 0.08-1 and flips. Prints test top-1 after every",
      "epoch and top1=NN.NN after the last."
    })
final class FinetuneCommand implements Callable<Integer> {

  @Mixin EvalOptions eval;

  @Option(
      names = "--epochs",
      defaultValue = "2",
      description = "Passes over the training images (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(
      names = "--batch-size",
      defaultValue = "64",
      description = "Images per step (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--lr",
      defaultValue = "5e-4",
      description =
          "Peak learning rate of the head: the original's 2e-3 per 1024 images at a batch of 64"
              + " would be 1.25e-4; BEiT's 5e-4 per 256 is used (default: ${DEFAULT-VALUE}).")
  double lr;

  @Option(
      names = "--min-lr",
      defaultValue = "1e-6",
      description = "Final learning rate of the cosine (default: ${DEFAULT-VALUE}).")
  double minLr;

  @Option(
      names = "--warmup-steps",
      defaultValue = "20",
      description = "Linear warm-up steps (default: ${DEFAULT-VALUE}).")
  long warmupSteps;

  @Option(
      names = "--weight-decay",
      defaultValue = "0.05",
      description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
  double weightDecay;

  @Option(
      names = "--layer-decay",
      defaultValue = "0.65",
      description = "Layer-wise learning-rate decay (default: ${DEFAULT-VALUE}).")
  double layerDecay;

  @Option(
      names = "--label-smoothing",
      defaultValue = "0.1",
      description = "Label smoothing (default: ${DEFAULT-VALUE}).")
  double labelSmoothing;

  @Option(
      names = "--drop-path",
      defaultValue = "0.1",
      description = "Stochastic depth rate of the last block (default: ${DEFAULT-VALUE}).")
  double dropPath;

  @Override
  public Integer call() throws Exception {
    long start = System.nanoTime();
    LabeledImages train = eval.readTrain();
    LabeledImages test = eval.readTest();
    Finetuner.Settings settings =
        new Finetuner.Settings(
            epochs,
            batchSize,
            lr,
            minLr,
            warmupSteps,
            weightDecay,
            layerDecay,
            labelSmoothing,
            dropPath,
            eval.seed);
    List<Finetuner.Epoch> epochsDone;
    int classes = Math.max(train.numClasses(), test.numClasses());
    long steps = (long) epochs * ((train.count() + batchSize - 1) / batchSize);
    try (NDManager manager = NDManager.newBaseManager();
        ParameterStore encoder = eval.encoder(manager);
        Finetuner tuner = new Finetuner(eval.config(), encoder, classes, settings)) {
      epochsDone =
          tuner.run(
              train,
              test,
              e ->
                  System.out.printf(
                      Locale.ROOT,
                      "finetune: epoch %d train loss %.4f test top1 %.2f%% top5 %.2f%% (%.1f s)%n",
                      e.epoch(),
                      e.trainLoss(),
                      100 * e.top1(),
                      100 * e.top5(),
                      e.seconds()),
              (step, loss) ->
                  System.err.printf(
                      Locale.ROOT,
                      "finetune: step %d/%d loss %.4f (%.1f s)%n",
                      step,
                      steps,
                      loss,
                      (System.nanoTime() - start) / 1e9));
    }
    Finetuner.Epoch last = epochsDone.get(epochsDone.size() - 1);
    List<Map<String, Object>> perEpoch = new ArrayList<>();
    for (Finetuner.Epoch e : epochsDone) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("epoch", e.epoch());
      m.put("train_loss", e.trainLoss());
      m.put("top1", 100 * e.top1());
      m.put("top5", 100 * e.top5());
      m.put("seconds", e.seconds());
      perEpoch.add(m);
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("settings", settings.toString());
    details.put("epochs", perEpoch);
    details.put("train_images", train.count());
    details.put("test_images", test.count());
    details.put("wall_seconds", (System.nanoTime() - start) / 1e9);
    eval.report("finetune", last.top1(), details);
    return 0;
  }
}
