/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Creates the execution environment: a local MiniCluster when started from the command line, the
 * cluster's when submitted with {@code flink run}, or a remote session cluster's when given its
 * REST address (then the job jar, {@link #jobJar()}, is shipped with the job as {@code flink run}
 * ships it). Always without Kryo fallback and with RocksDB and incremental checkpoints. A slow
 * trainer back-pressures the tokenizers and, through Flink's credit-based flow control, the source;
 * unaligned checkpoints let barriers overtake the queued images so checkpoints still complete, and
 * buffer debloating keeps the queued data to about one second of throughput (a sample is ~150 KB at
 * 224px, so fixed-size buffers would hold many).
 */
public final class FlinkEnvironments {

  private FlinkEnvironments() {}

  /**
   * @param checkpointDir where checkpoints go (a local path or a URI such as s3://...)
   * @param checkpointIntervalMs 0 disables periodic checkpoints
   */
  public static StreamExecutionEnvironment create(
      int parallelism, String checkpointDir, long checkpointIntervalMs) {
    return create(parallelism, checkpointDir, checkpointIntervalMs, Map.of());
  }

  /**
   * As {@link #create(int, String, long)}, with further Flink settings that take precedence, e.g.
   * {@code execution.state-recovery.path} to resume from a savepoint or a restart strategy.
   */
  public static StreamExecutionEnvironment create(
      int parallelism,
      String checkpointDir,
      long checkpointIntervalMs,
      Map<String, String> overrides) {
    return create(null, parallelism, checkpointDir, checkpointIntervalMs, overrides);
  }

  /**
   * As {@link #create(int, String, long, Map)}, on the session cluster whose REST endpoint is
   * {@code jobManager} ({@code HOST:PORT}, as {@code flink run -m}), or as there when it is null.
   */
  public static StreamExecutionEnvironment create(
      String jobManager,
      int parallelism,
      String checkpointDir,
      long checkpointIntervalMs,
      Map<String, String> overrides) {
    Map<String, String> settings = new HashMap<>(jobDefaults());
    settings.put("execution.checkpointing.dir", toUri(checkpointDir));
    if (checkpointIntervalMs > 0) {
      settings.put("execution.checkpointing.interval", checkpointIntervalMs + " ms");
    }
    settings.putAll(overrides);
    Configuration configuration = Configuration.fromMap(settings);
    StreamExecutionEnvironment env;
    if (jobManager == null) {
      env = StreamExecutionEnvironment.getExecutionEnvironment(configuration);
    } else {
      int colon = jobManager.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("give the JobManager as HOST:PORT, not " + jobManager);
      }
      env =
          StreamExecutionEnvironment.createRemoteEnvironment(
              jobManager.substring(0, colon),
              Integer.parseInt(jobManager.substring(colon + 1)),
              configuration,
              jobJar().toString());
    }
    env.setParallelism(parallelism);
    return env;
  }

  /**
   * The settings every job of the project runs with, wherever it runs (the Kubernetes manifests
   * carry them as cluster defaults too).
   */
  public static Map<String, String> jobDefaults() {
    return Map.of(
        "pipeline.generic-types", "false",
        "state.backend.type", "rocksdb",
        "execution.checkpointing.incremental", "true",
        "execution.checkpointing.unaligned.enabled", "true",
        "taskmanager.network.memory.buffer-debloat.enabled", "true");
  }

  /**
   * The job jar built by {@code mvn package} ({@code flink-jobs/target/ccvit-job.jar}): the system
   * property {@code ccvit.job.jar}, else under the project named by {@code ccvit.home}.
   */
  public static Path jobJar() {
    String jar = System.getProperty("ccvit.job.jar");
    Path path =
        jar != null
            ? Path.of(jar)
            : Path.of(System.getProperty("ccvit.home", "."), "flink-jobs/target/ccvit-job.jar");
    if (!Files.isRegularFile(path)) {
      throw new IllegalStateException(
          "no job jar at " + path.toAbsolutePath() + ": build it with 'mvn -DskipTests package'");
    }
    return path.toAbsolutePath();
  }

  private static String toUri(String dir) {
    return dir.contains("://") ? dir : Path.of(dir).toAbsolutePath().toUri().toString();
  }
}
