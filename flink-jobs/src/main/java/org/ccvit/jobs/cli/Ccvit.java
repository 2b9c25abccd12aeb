/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ccvit} command line. */
@Command(
    name = "ccvit",
    mixinStandardHelpOptions = true,
    versionProvider = Versions.class,
    description =
        "CCViT pre-training on Apache Flink: images in Kafka or files -> centroid "
            + "tokens, blockwise masks and replaced patches -> a DJL trainer sink. Each "
            + "subcommand runs locally on an embedded Flink MiniCluster; the same jobs run on"
            + " a Flink cluster when submitted with 'flink run'. Use '<command> --help' for "
            + "options.",
    subcommands = {
      IngestCommand.class,
      CodebookCommand.class,
      BenchCommand.class,
      ClusterCommand.class,
      TokenizeCommand.class,
      PretrainCommand.class,
      DemoCommand.class,
      WeightsCommand.class,
      KnnCommand.class,
      ProbeCommand.class,
      FinetuneCommand.class,
      ReconstructCommand.class,
      CodebookGridCommand.class,
      AnalyzeCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Ccvit implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(
      names = ErrorReporting.VERBOSE,
      scope = CommandLine.ScopeType.INHERIT,
      description =
          "On a user error, print the stack trace after the one-line reason (as CCVIT_DEBUG=1).")
  boolean verbose;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The command line as {@link #main} runs it (enum values such as presets in any case). */
  public static CommandLine commandLine() {
    return ErrorReporting.install(
        new CommandLine(new Ccvit()).setCaseInsensitiveEnumValuesAllowed(true));
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
