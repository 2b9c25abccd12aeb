/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import picocli.CommandLine.Option;

/** Where a job runs: a local MiniCluster, or a session cluster given by its REST address. */
final class ClusterTarget {

  @Option(
      names = "--jobmanager",
      description =
          "Submit to the Flink session cluster whose REST API is at HOST:PORT (the job jar"
              + " flink-jobs/target/ccvit-job.jar is shipped with it, as by 'flink run') instead"
              + " of running on a local MiniCluster.")
  String jobManager;

  @Option(
      names = "--wait",
      description = "With --jobmanager: wait for the job to end instead of returning its id.")
  boolean waitForJob;

  /** Whether the command prints the job id and returns at once. */
  boolean submitOnly() {
    return jobManager != null && !waitForJob;
  }
}
