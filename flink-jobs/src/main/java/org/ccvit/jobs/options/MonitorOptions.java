/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.options;

import java.nio.file.Path;
import java.util.List;
import org.ccvit.trainer.eval.KnnMonitor;
import picocli.CommandLine.Option;

/** The online k-NN monitor of pre-training ({@link KnnMonitor}); off unless --monitor-every. */
public final class MonitorOptions {

  @Option(
      names = "--monitor-every",
      defaultValue = "0",
      description =
          "Every this many steps, the k-NN top-1 of the current encoder on --monitor-test by"
              + " --monitor-train (Flink metric knnTop1, metrics.csv column knn_top1);"
              + " 0 = off (default: ${DEFAULT-VALUE}).")
  public long every;

  @Option(
      names = "--monitor-train",
      arity = "1..*",
      description = "Labeled images (shards with KEY.cls) whose features vote in the monitor.")
  public List<Path> train;

  @Option(
      names = "--monitor-test",
      arity = "1..*",
      description = "Labeled images the monitor classifies.")
  public List<Path> test;

  @Option(
      names = "--monitor-train-limit",
      defaultValue = "1000",
      description = "First N images of --monitor-train, 0 = all (default: ${DEFAULT-VALUE}).")
  public long trainLimit;

  @Option(
      names = "--monitor-test-limit",
      defaultValue = "500",
      description = "First N images of --monitor-test, 0 = all (default: ${DEFAULT-VALUE}).")
  public long testLimit;

  /** The monitor's settings, or null when it is off. */
  public KnnMonitor.Settings settings() {
    if (every <= 0) {
      return null;
    }
    if (train == null || test == null) {
      throw new IllegalArgumentException(
          "--monitor-every needs --monitor-train and --monitor-test (labeled images)");
    }
    return new KnnMonitor.Settings(
        absolute(train), absolute(test), trainLimit, testLimit, every, 20, 0.07);
  }

  private static List<String> absolute(List<Path> paths) {
    return paths.stream().map(p -> p.toAbsolutePath().toString()).toList();
  }
}
