/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.infra.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JobManager ({@code StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code
 * TaskManagerRunner}) of a standalone session cluster, each its own JVM, started as Flink's scripts
 * do: {@code BashJavaUtils} turns the memory settings of {@code conf/config.yaml} into JVM options
 * and dynamic properties.
 */
final class FlinkProcesses {
  static final String JOBMANAGER = "jobmanager";
  private static final String PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

  private final ClusterDirectory dir;
  private final ClusterLibraries libraries;

  FlinkProcesses(ClusterDirectory dir, ClusterLibraries libraries) {
    this.dir = dir;
    this.libraries = libraries;
  }

  /** Writes {@code conf/config.yaml} (Flink 2's format, flat keys) and the log configuration. */
  void configure() throws IOException {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("jobmanager.rpc.address", "localhost");
    c.put("jobmanager.rpc.port", String.valueOf(dir.rpcPort()));
    c.put("jobmanager.bind-host", "localhost");
    c.put("jobmanager.memory.process.size", "1024m");
    c.put("rest.address", "localhost");
    c.put("rest.bind-address", "localhost");
    c.put("rest.port", String.valueOf(dir.restPort()));
    c.put("taskmanager.host", "localhost");
    c.put("taskmanager.bind-host", "localhost");
    c.put("taskmanager.numberOfTaskSlots", String.valueOf(dir.slots()));
    c.put("taskmanager.memory.process.size", "1792m");
    // RocksDB's managed memory; a small share is plenty for the jobs' keyed state.
    c.put("taskmanager.memory.managed.fraction", "0.2");
    // DJL hands arrays to PyTorch through direct buffers (task off-heap); PyTorch's own allocations
    // are native memory outside the JVM's accounting, which the JVM overhead budget stands for.
    c.put("taskmanager.memory.task.off-heap.size", "256m");
    c.put("taskmanager.memory.jvm-overhead.min", "384m");
    c.put("taskmanager.memory.jvm-overhead.max", "384m");
    // DJL and JNA come from lib/ (loaded once per TaskManager JVM), never from a job jar.
    c.put("classloader.parent-first-patterns.additional", "[ai.djl., com.sun.jna.]");
    // A lost TaskManager is noticed within seconds rather than the default 50 s.
    c.put("heartbeat.interval", "1000");
    c.put("heartbeat.timeout", "10000");
    c.put("restart-strategy.type", "fixed-delay");
    c.put("restart-strategy.fixed-delay.attempts", "20");
    c.put("restart-strategy.fixed-delay.delay", "2 s");
    // Metrics in the REST API within a second (default 10 s).
    c.put("metrics.fetcher.update-interval", "1000");
    c.put("io.tmp.dirs", dir.tmp().toString());
    c.put("web.tmpdir", dir.tmp().resolve("web").toString());
    StringBuilder yaml = new StringBuilder("# Written by ccvit cluster start.\n");
    c.forEach((k, v) -> yaml.append(k).append(": ").append(yamlString(v)).append('\n'));
    Files.writeString(dir.conf().resolve("config.yaml"), yaml);
    Files.writeString(
        dir.conf().resolve("log4j.properties"),
        String.join(
            "\n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.file.ref = MainAppender",
            "appender.main.name = MainAppender",
            "appender.main.type = File",
            "appender.main.fileName = ${sys:log.file}",
            "appender.main.layout.type = PatternLayout",
            "appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
            ""));
  }

  void startJobManager() throws IOException, InterruptedException {
    start(
        JOBMANAGER,
        "GET_JM_RESOURCE_PARAMS",
        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
        List.of(),
        Map.of());
  }

  /** Starts a TaskManager with the given resource id (the id Flink's REST API reports). */
  void startTaskManager(String resourceId) throws IOException, InterruptedException {
    Map<String, String> env = new LinkedHashMap<>();
    // PyTorch: without a passive OpenMP wait policy its spinning threads starve Flink on few
    // cores; one thread per process keeps CPU GEMMs' summation order, and so the training
    // numbers, the same from run to run.
    env.put("OMP_WAIT_POLICY", "PASSIVE");
    env.put("OMP_NUM_THREADS", "1");
    env.put("MKL_NUM_THREADS", "1");
    env.put("MKL_DYNAMIC", "FALSE");
    env.put("MKL_CBWR", "COMPATIBLE");
    // glibc: keep PyTorch's freed activation arrays for reuse instead of returning them to the
    // kernel, which made every step page-fault its arrays in again (see the ccvit launcher).
    env.put("MALLOC_MMAP_THRESHOLD_", "33554432");
    env.put("MALLOC_TRIM_THRESHOLD_", "4294967296");
    start(
        resourceId,
        "GET_TM_RESOURCE_PARAMS",
        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
        List.of(
            "-Dai.djl.offline=true",
            "-Dai.djl.pytorch.num_threads=1",
            "-Dai.djl.pytorch.num_interop_threads=1"),
        env,
        "-D",
        "taskmanager.resource-id=" + resourceId);
  }

  private void start(
      String name,
      String resourceCommand,
      String mainClass,
      List<String> extraJvmOptions,
      Map<String, String> env,
      String... extraArgs)
      throws IOException, InterruptedException {
    List<String> result = new ArrayList<>();
    for (String line :
        JavaProcess.run(
            libraries.flinkClassPath(),
            "org.apache.flink.runtime.util.bash.BashJavaUtils",
            List.of(resourceCommand, "--configDir", dir.conf().toString()),
            dir.root())) {
      if (line.startsWith(PREFIX)) {
        result.add(line.substring(PREFIX.length()).trim());
      }
    }
    if (result.size() != 2) {
      throw new IOException("BashJavaUtils " + resourceCommand + " printed " + result);
    }
    List<String> jvm = new ArrayList<>(List.of(result.get(0).split(" ")));
    jvm.add("--add-modules");
    jvm.add("jdk.incubator.vector");
    jvm.addAll(extraJvmOptions);
    jvm.add("-Dlog.file=" + dir.log().resolve(name + ".log"));
    jvm.add("-Dlog4j.configurationFile=" + dir.conf().resolve("log4j.properties"));
    List<String> args = new ArrayList<>(List.of("--configDir", dir.conf().toString()));
    args.addAll(List.of(result.get(1).split(" ")));
    args.addAll(List.of(extraArgs));
    JavaProcess.start(
        jvm,
        libraries.flinkClassPath(),
        mainClass,
        args,
        env,
        dir.log().resolve(name + ".out"),
        dir.pidFile(name));
  }

  private static String yamlString(String value) {
    return value.matches("[A-Za-z0-9_./:-]+|\\[.*\\]")
        ? value
        : "\"" + value.replace("\"", "\\\"") + "\"";
  }
}
