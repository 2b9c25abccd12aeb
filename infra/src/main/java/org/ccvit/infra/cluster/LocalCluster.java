/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.infra.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.ccvit.infra.KafkaTopics;

/**
 * A standalone Flink session cluster (one JobManager, N TaskManagers, each its own JVM) and a Kafka
 * broker process on this machine, with configuration, logs, pid files and data under one folder
 * (see {@link ClusterDirectory}). Ports are chosen free at start. Processes outlive this object and
 * the JVM that started them; {@link #open} finds them again through the folder.
 */
public final class LocalCluster {
  private static final Duration STARTUP = Duration.ofMinutes(3);
  private static final String TASKMANAGER_PREFIX = "tm-";

  private final ClusterDirectory dir;
  private final FlinkProcesses flink;
  private final KafkaBrokerProcess kafka;
  private final FlinkRest rest;

  private LocalCluster(ClusterDirectory dir, ClusterLibraries libraries) {
    this.dir = dir;
    this.flink = new FlinkProcesses(dir, libraries);
    this.kafka = new KafkaBrokerProcess(dir, libraries);
    this.rest = new FlinkRest(dir.restAddress());
  }

  /**
   * Starts the broker, the JobManager and {@code taskManagers} TaskManagers of {@code slots} slots
   * each; returns once the broker answers and every TaskManager has registered.
   */
  public static LocalCluster start(
      Path root, int taskManagers, int slots, ClusterLibraries libraries)
      throws IOException, InterruptedException {
    libraries.requireBuilt();
    if (ClusterDirectory.exists(root)) {
      LocalCluster old = open(root, libraries);
      if (!old.livePidFiles().isEmpty()) {
        throw new IllegalStateException(
            "a cluster is running in " + root.toAbsolutePath() + ": stop it first");
      }
    }
    ClusterDirectory dir =
        ClusterDirectory.create(
            root, FreePorts.next(), FreePorts.next(), FreePorts.next(), FreePorts.next(), slots);
    LocalCluster cluster = new LocalCluster(dir, libraries);
    try {
      cluster.kafka.configure();
      cluster.kafka.start();
      cluster.flink.configure();
      cluster.flink.startJobManager();
      for (int i = 0; i < taskManagers; i++) {
        cluster.launchTaskManager();
      }
      cluster.kafka.awaitReady(STARTUP);
      cluster.awaitTaskManagers(cluster.taskManagerIds());
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.stop();
      throw e;
    }
    return cluster;
  }

  /** The cluster started earlier in {@code root}. */
  public static LocalCluster open(Path root, ClusterLibraries libraries) throws IOException {
    return new LocalCluster(ClusterDirectory.open(root), libraries);
  }

  /** The JobManager's REST address, e.g. {@code http://localhost:35711}. */
  public String restAddress() {
    return dir.restAddress();
  }

  /** {@code HOST:PORT} of the REST endpoint, as {@code --jobmanager} and {@code flink run -m}. */
  public String jobManager() {
    return "localhost:" + dir.restPort();
  }

  public String bootstrapServers() {
    return dir.bootstrapServers();
  }

  public FlinkRest rest() {
    return rest;
  }

  public Path directory() {
    return dir.root();
  }

  /** Starts one more TaskManager and waits until it has registered; returns its resource id. */
  public String addTaskManager() throws IOException, InterruptedException {
    String id = launchTaskManager();
    awaitTaskManagers(List.of(id));
    return id;
  }

  private String launchTaskManager() throws IOException, InterruptedException {
    int next = 1;
    for (String id : taskManagerIds()) {
      next = Math.max(next, Integer.parseInt(id.substring(TASKMANAGER_PREFIX.length())) + 1);
    }
    String id = TASKMANAGER_PREFIX + next;
    flink.startTaskManager(id);
    return id;
  }

  /** Resource ids of every TaskManager ever started here (live or not), by pid file. */
  public List<String> taskManagerIds() throws IOException {
    try (Stream<Path> files = Files.list(dir.pids())) {
      return files
          .map(f -> f.getFileName().toString().replace(".pid", ""))
          .filter(n -> n.startsWith(TASKMANAGER_PREFIX))
          .sorted()
          .toList();
    }
  }

  /** The process of a TaskManager, if it is alive. */
  public Optional<ProcessHandle> taskManagerProcess(String resourceId) {
    return JavaProcess.find(dir.pidFile(resourceId));
  }

  /** Stops the broker process (its data stays), e.g. to test clients riding through an outage. */
  public void stopBroker() throws IOException {
    kafka.stop();
  }

  /** Starts the broker again on the same port and data; returns when it answers. */
  public void startBroker() throws IOException, InterruptedException {
    kafka.start();
    kafka.awaitReady(STARTUP);
  }

  /** Lines describing the cluster: {@code rest=...}, {@code kafka=...}, then each process. */
  public List<String> status() throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("rest=" + restAddress());
    lines.add("kafka=" + bootstrapServers());
    lines.add("dir=" + dir.root());
    List<String> registered = rest.answers() ? rest.taskManagers() : List.of();
    lines.add(process(FlinkProcesses.JOBMANAGER, rest.answers() ? "REST answers" : "no REST"));
    for (String id : taskManagerIds()) {
      lines.add(process(id, registered.contains(id) ? "registered" : "not registered"));
    }
    lines.add(
        process(
            KafkaBrokerProcess.PID,
            kafka.running() && KafkaTopics.answers(bootstrapServers(), Duration.ofSeconds(3))
                ? "answers"
                : "no answer"));
    return lines;
  }

  private String process(String name, String state) {
    Optional<ProcessHandle> p = JavaProcess.find(dir.pidFile(name));
    return name + " " + p.map(h -> "pid " + h.pid() + " running, " + state).orElse("not running");
  }

  /** Stops every process (TaskManagers first, the broker last); logs and data stay. */
  public void stop() throws IOException {
    for (String id : taskManagerIds()) {
      JavaProcess.stop(dir.pidFile(id), Duration.ofSeconds(20));
    }
    JavaProcess.stop(dir.pidFile(FlinkProcesses.JOBMANAGER), Duration.ofSeconds(20));
    kafka.stop();
  }

  private List<Path> livePidFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir.pids())) {
      return files.filter(f -> JavaProcess.find(f).isPresent()).toList();
    }
  }

  private void awaitTaskManagers(List<String> ids) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (true) {
      if (JavaProcess.find(dir.pidFile(FlinkProcesses.JOBMANAGER)).isEmpty()) {
        throw new IOException(
            "the JobManager stopped:\n"
                + JavaProcess.tail(dir.log().resolve(FlinkProcesses.JOBMANAGER + ".log"), 30));
      }
      List<String> registered = rest.answers() ? rest.taskManagers() : List.of();
      if (registered.containsAll(ids)) {
        return;
      }
      for (String id : ids) {
        if (taskManagerProcess(id).isEmpty()) {
          throw new IOException(
              "TaskManager "
                  + id
                  + " stopped:\n"
                  + JavaProcess.tail(dir.log().resolve(id + ".log"), 30));
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("TaskManagers " + ids + " did not register within " + STARTUP);
      }
      Thread.sleep(250);
    }
  }
}
