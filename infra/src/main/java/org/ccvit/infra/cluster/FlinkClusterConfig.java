/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.infra.cluster;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cluster settings every deployment of the jobs shares: the standalone cluster that {@code
 * ccvit cluster} starts writes them into its {@code conf/config.yaml} and process environment, and
 * the Docker image, the compose file and the Kubernetes manifests under {@code infra/} carry the
 * same keys (a test compares them). Addresses, ports, folders and process sizes are each
 * deployment's own.
 */
public final class FlinkClusterConfig {

  /**
   * Keys whose values are sized per deployment (the machine's memory); their presence is shared.
   */
  public static final Set<String> SIZED =
      Set.of(
          "taskmanager.memory.managed.fraction",
          "taskmanager.memory.task.off-heap.size",
          "taskmanager.memory.jvm-overhead.min",
          "taskmanager.memory.jvm-overhead.max");

  /** The Prometheus reporter's name in metric reporter keys ({@code metrics.reporter.prom.*}). */
  public static final String PROMETHEUS = "prom";

  private FlinkClusterConfig() {}

  /** The shared Flink settings, in the order they are written. */
  public static Map<String, String> shared() {
    Map<String, String> c = new LinkedHashMap<>();
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
    c.putAll(prometheus("9249-9260"));
    return c;
  }

  /**
   * Flink's Prometheus reporter ({@code flink-metrics-prometheus}) serving {@code /metrics} on the
   * first free port of {@code ports} (a range, so that the processes of one host each get one).
   */
  public static Map<String, String> prometheus(String ports) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put(
        "metrics.reporter." + PROMETHEUS + ".factory.class",
        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    c.put("metrics.reporter." + PROMETHEUS + ".port", ports);
    return c;
  }

  /**
   * The TaskManagers' environment. PyTorch: without a passive OpenMP wait policy its spinning
   * threads starve Flink on few cores; one thread per process and MKL's reproducible mode keep CPU
   * GEMMs' summation order, and so the training numbers, the same from run to run. That mode's AUTO
   * branch keeps the fastest kernels of the CPU (COMPATIBLE, tried first, made a training step
   * about 3x slower), and STRICT makes it independent of the arrays' memory alignment.
   */
  public static Map<String, String> taskManagerEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("OMP_WAIT_POLICY", "PASSIVE");
    env.put("OMP_NUM_THREADS", "1");
    env.put("MKL_NUM_THREADS", "1");
    env.put("MKL_DYNAMIC", "FALSE");
    env.put("MKL_CBWR", "AUTO,STRICT");
    // glibc: keep PyTorch's freed activation arrays for reuse instead of returning them to the
    // kernel, which made every step page-fault its arrays in again (see the ccvit launcher).
    env.put("MALLOC_MMAP_THRESHOLD_", "33554432");
    env.put("MALLOC_TRIM_THRESHOLD_", "4294967296");
    return env;
  }

  /** JVM options of every Flink process: the tokenizer's Vector API kernels. */
  public static List<String> jvmOptions() {
    return List.of("--add-modules", "jdk.incubator.vector");
  }

  /**
   * JVM options of the TaskManagers: DJL never downloads (PyTorch's natives are in lib/), one
   * PyTorch thread (see {@link #taskManagerEnvironment()}).
   */
  public static List<String> taskManagerJvmOptions() {
    return List.of(
        "-Dai.djl.offline=true",
        "-Dai.djl.pytorch.num_threads=1",
        "-Dai.djl.pytorch.num_interop_threads=1");
  }
}
