/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.ccvit.jobs.options.ModelOptions;
import org.ccvit.trainer.flink.TrainerSinkOptions;
import org.ccvit.trainer.io.SafetensorsWeights;
import org.ccvit.trainer.model.CcvitConfig;
import org.ccvit.trainer.model.CcvitModel;
import org.ccvit.trainer.model.ParameterStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Exchanges weights with the original PyTorch code as safetensors under the original names. */
@Command(
    name = "weights",
    mixinStandardHelpOptions = true,
    description = {
      "Exchange weights with the original PyTorch classes: safetensors files under the",
      "original state_dict names. Both directions check every name and shape against the",
      "model configuration and list all mismatches."
    },
    subcommands = {WeightsCommand.Export.class, WeightsCommand.Import.class})
final class WeightsCommand implements Runnable {

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this), "choose 'weights export' or 'weights import'");
  }

  /** Options naming the model configuration the weights must fit. */
  static final class Shape {
    @Mixin ModelOptions model;

    @Option(
        names = "--vocab-size",
        defaultValue = "8192",
        description = "Codebook size K of the token head (default: ${DEFAULT-VALUE}).")
    int vocabSize;

    /** Reads {@code in}, refusing any mismatch with the configuration, and writes {@code out}. */
    void copyValidated(Path in, Path out) {
      CcvitConfig config = model.model(vocabSize);
      try (NDManager manager = NDManager.newBaseManager();
          ParameterStore store = CcvitModel.newParameters(config, manager)) {
        SafetensorsWeights.load(store, in);
        SafetensorsWeights.save(store, out);
      }
      System.out.println("weights: " + in + " -> " + out.toAbsolutePath());
    }
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = {
        "Write the weights of a checkpoint as one safetensors file for the original code",
        "(load_state_dict of VisionTransformerForMaskedImageModeling)."
      })
  static final class Export implements Callable<Integer> {
    @Option(
        names = "--checkpoint",
        required = true,
        description = "A weights file or a pretrain --out directory (its published weights).")
    Path checkpoint;

    @Option(names = "--out", required = true, description = "The safetensors file to write.")
    Path out;

    @Mixin Shape shape;

    @Override
    public Integer call() {
      Path file =
          Files.isDirectory(checkpoint)
              ? checkpoint.resolve(TrainerSinkOptions.WEIGHTS_FILE)
              : checkpoint;
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException(
            "no weights at " + file + ": give a weights file or a directory holding one");
      }
      shape.copyValidated(file, out);
      return 0;
    }
  }

  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description = {
        "Check a safetensors file written from the original PyTorch model against the",
        "configuration and write it to DIR/weights.safetensors, for pretrain --init-weights."
      })
  static final class Import implements Callable<Integer> {
    @Option(names = "--in", required = true, description = "safetensors from PyTorch.")
    Path in;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Mixin Shape shape;

    @Override
    public Integer call() {
      shape.copyValidated(in, out.resolve(TrainerSinkOptions.WEIGHTS_FILE));
      return 0;
    }
  }
}
