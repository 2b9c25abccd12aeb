/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import org.ccvit.jobs.codebook.CodebookJob;
import org.ccvit.jobs.codebook.CodebookOptions;
import org.ccvit.jobs.options.WebUiOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The bounded codebook job, locally or on a session cluster. */
@Command(
    name = "codebook",
    mixinStandardHelpOptions = true,
    description = {
      "Build a k-means codebook of raw patches (faiss semantics: seeded init from K distinct",
      "points, fixed iterations, empty clusters split) with a bounded Flink job, and write it",
      "in the original centroids.npy layout (float32 [K, 3*P*P], C x P x P order); optionally",
      "publish it to a Kafka topic for running pre-training jobs."
    })
final class CodebookCommand implements Callable<Integer> {

  @Mixin CodebookOptions options;

  @Option(
      names = "--jobmanager",
      description =
          "Run the jobs on the Flink session cluster whose REST API is at HOST:PORT (the job jar"
              + " is shipped with them; --work-dir must be visible to every TaskManager).")
  String jobManager;

  @Mixin WebUiOptions webUi;

  @Override
  public Integer call() throws Exception {
    Map<String, String> local = webUi.settings(jobManager);
    webUi.announce(jobManager);
    CodebookJob.run(options, jobManager, local);
    return 0;
  }
}
