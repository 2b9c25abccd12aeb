/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.ToLongFunction;
import org.ccvit.trainer.MklDispatch;
import org.ccvit.trainer.StepTimings;
import org.ccvit.trainer.TrainConfig;
import org.ccvit.trainer.TrainerBenchmark;
import org.ccvit.trainer.model.CcvitConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The trainer's optimizer step on synthetic batches of a model's shapes with real masking plans:
 * median time per phase over the measured steps, samples/s and peak resident memory.
 */
@Command(
    name = "trainer",
    mixinStandardHelpOptions = true,
    description = {
      "Times the DJL trainer's step (batch build, forward, loss, backward, clipping, optimizer)",
      "on synthetic batches of a preset's shapes (cifar: 32 px, patch 4, width 192, depth 6,",
      "3 heads, K 1024; base: ViT-B/16 at 224, K 8192) with the original masking counts.",
      "Prints the median per phase and a line ms_per_step=N (the median step)."
    })
final class BenchTrainerCommand implements Callable<Integer> {

  /** Model presets of the benchmark. */
  enum Preset {
    TINY,
    CIFAR,
    BASE
  }

  @Option(
      names = "--model",
      defaultValue = "base",
      description = "tiny, cifar or base (default: ${DEFAULT-VALUE}).")
  Preset preset;

  @Option(
      names = "--vocab-size",
      description = "Codebook size K (default: 8192 for base, 1024 otherwise).")
  Integer vocabSize;

  @Option(names = "--image-size", description = "Override the preset's image side.")
  Integer imageSize;

  @Option(names = "--patch-size", description = "Override the preset's patch side.")
  Integer patchSize;

  @Option(names = "--embed-dim", description = "Override the preset's width.")
  Integer embedDim;

  @Option(names = "--depth", description = "Override the preset's token-block depth.")
  Integer depth;

  @Option(names = "--heads", description = "Override the preset's attention heads.")
  Integer heads;

  @Option(
      names = "--early-layers",
      description = "Override after which token block the pixel block reads the patches.")
  Integer earlyLayers;

  @Option(
      names = "--batch-size",
      description = "Samples per micro-batch (default: 4 for base, 64 for cifar, 16 for tiny).")
  Integer batchSize;

  @Option(
      names = "--accumulate",
      defaultValue = "1",
      description = "Micro-batches per optimizer step (default: ${DEFAULT-VALUE}).")
  int accumulate;

  @Option(
      names = "--steps",
      defaultValue = "10",
      description = "Measured steps (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(
      names = "--warmup",
      defaultValue = "3",
      description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--threads",
      description = "PyTorch intra-op threads (default: PyTorch's, one per core).")
  Integer threads;

  @Override
  public Integer call() {
    CcvitConfig model = model();
    int batch = batchSize != null ? batchSize : defaultBatchSize();
    Engine.getEngine("PyTorch");
    if (threads != null) {
      JniUtils.setNumThreads(threads);
    }
    System.out.printf(
        Locale.ROOT,
        "bench trainer: %s image %d, patch %d, width %d, depth %d, heads %d, K %d, pixel block"
            + " after %d; batch %d x %d micro-batches; %d warm-up + %d steps; %d PyTorch threads,"
            + " %d cores%n",
        preset.name().toLowerCase(Locale.ROOT),
        model.imgSize(),
        model.patchSize(),
        model.embedDim(),
        model.depth(),
        model.numHeads(),
        model.vocabSize(),
        model.earlyLayers(),
        batch,
        accumulate,
        warmup,
        steps,
        JniUtils.getNumThreads(),
        Runtime.getRuntime().availableProcessors());
    System.out.println("MKL kernels chosen " + MklDispatch.describe());
    TrainConfig train = TrainConfig.original(batch, 1000, 10);
    TrainerBenchmark.Result result =
        TrainerBenchmark.run(
            model,
            train,
            accumulate,
            warmup,
            steps,
            t -> System.out.printf(Locale.ROOT, "  step %.1f ms%n", t.totalNanos() / 1e6));
    List<Phase> phases =
        List.of(
            new Phase("batch build", StepTimings::buildNanos),
            new Phase("forward", StepTimings::forwardNanos),
            new Phase("loss", StepTimings::lossNanos),
            new Phase("backward", StepTimings::backwardNanos),
            new Phase("clipping", StepTimings::clipNanos),
            new Phase("optimizer", StepTimings::optimizerNanos),
            new Phase("step", StepTimings::totalNanos));
    System.out.println("| phase | median ms |");
    System.out.println("|---|---:|");
    for (Phase p : phases) {
      System.out.printf(Locale.ROOT, "| %s | %.1f |%n", p.name, result.medianMs(p.nanos));
    }
    System.out.printf(Locale.ROOT, "cpu_ms_per_step=%.0f (all threads)%n", result.cpuMsPerStep());
    System.out.printf(Locale.ROOT, "samples_per_sec=%.2f%n", result.samplesPerSecond());
    System.out.printf(Locale.ROOT, "peak_rss_mb=%d%n", result.peakRssBytes() >> 20);
    System.out.printf(Locale.ROOT, "ms_per_step=%.0f%n", result.msPerStep());
    return 0;
  }

  private record Phase(String name, ToLongFunction<StepTimings> nanos) {}

  private CcvitConfig model() {
    CcvitConfig p =
        switch (preset) {
          case TINY -> CcvitConfig.tiny(32, 4, vocabSize != null ? vocabSize : 1024);
          case CIFAR -> CcvitConfig.cifar(vocabSize != null ? vocabSize : 1024);
          case BASE -> CcvitConfig.base(vocabSize != null ? vocabSize : 8192);
        };
    return new CcvitConfig(
        imageSize != null ? imageSize : p.imgSize(),
        patchSize != null ? patchSize : p.patchSize(),
        p.inChans(),
        embedDim != null ? embedDim : p.embedDim(),
        depth != null ? depth : p.depth(),
        heads != null ? heads : p.numHeads(),
        p.mlpRatio(),
        p.vocabSize(),
        earlyLayers != null ? earlyLayers : p.earlyLayers(),
        p.pixelDepth(),
        p.layerScaleInit(),
        p.initStd(),
        p.lnEps());
  }

  private int defaultBatchSize() {
    return switch (preset) {
      case TINY -> 16;
      case CIFAR -> 64;
      case BASE -> 4;
    };
  }
}
