/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The parent of the benchmark subcommands; each prints its own numbers. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Benchmarks on this machine. Run them when it is quiet (check uptime): numbers are"
            + " best of several repeats, and ratios are against a baseline run in the same"
            + " process.",
    subcommands = {
      BenchPipelineCommand.class,
      BenchKMeansCommand.class,
      BenchTokenizerCommand.class,
      BenchShuffleCommand.class,
      BenchTrainerCommand.class
    })
final class BenchCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The benchmarks' default data: the first Imagenette training shard of the shared datasets. */
  static Path defaultImages() {
    return Path.of(System.getProperty("ccvit.shared.dir", "../shared"))
        .resolve("datasets/imagenette-224/train-00000.tar.gz");
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
