/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.infra.cluster;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The one folder of a local cluster: {@code conf/} (Flink's config.yaml, log4j), {@code log/},
 * {@code pids/} ({@code jobmanager.pid}, {@code kafka.pid}, {@code <resource-id>.pid} per
 * TaskManager), {@code kafka/} (server.properties, data), {@code tmp/} and {@code
 * cluster.properties} with the ports chosen at start.
 */
final class ClusterDirectory {
  private static final String PROPERTIES = "cluster.properties";

  private final Path root;
  private final Properties ports;

  private ClusterDirectory(Path root, Properties ports) {
    this.root = root.toAbsolutePath();
    this.ports = ports;
  }

  /** A directory for a new cluster on the given ports, recorded in cluster.properties. */
  static ClusterDirectory create(
      Path root, int restPort, int rpcPort, int kafkaPort, int kafkaControllerPort, int slots)
      throws IOException {
    Properties p = new Properties();
    p.setProperty("rest.port", String.valueOf(restPort));
    p.setProperty("jobmanager.rpc.port", String.valueOf(rpcPort));
    p.setProperty("kafka.port", String.valueOf(kafkaPort));
    p.setProperty("kafka.controller.port", String.valueOf(kafkaControllerPort));
    p.setProperty("taskmanager.slots", String.valueOf(slots));
    ClusterDirectory dir = new ClusterDirectory(root, p);
    for (Path sub : new Path[] {dir.conf(), dir.log(), dir.pids(), dir.kafka(), dir.tmp()}) {
      Files.createDirectories(sub);
    }
    // Pid files of an earlier cluster in this folder name processes that are gone.
    try (var old = Files.list(dir.pids())) {
      for (Path f : old.toList()) {
        Files.delete(f);
      }
    }
    try (Writer out = Files.newBufferedWriter(dir.root.resolve(PROPERTIES))) {
      p.store(out, "ports of the local cluster");
    }
    return dir;
  }

  /** The directory of a cluster started earlier. */
  static ClusterDirectory open(Path root) throws IOException {
    Path file = root.resolve(PROPERTIES);
    if (!Files.exists(file)) {
      throw new IOException("no cluster was started in " + root.toAbsolutePath());
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      p.load(in);
    }
    return new ClusterDirectory(root, p);
  }

  static boolean exists(Path root) {
    return Files.exists(root.resolve(PROPERTIES));
  }

  Path root() {
    return root;
  }

  Path conf() {
    return root.resolve("conf");
  }

  Path log() {
    return root.resolve("log");
  }

  Path pids() {
    return root.resolve("pids");
  }

  Path kafka() {
    return root.resolve("kafka");
  }

  Path tmp() {
    return root.resolve("tmp");
  }

  Path pidFile(String name) {
    return pids().resolve(name + ".pid");
  }

  int restPort() {
    return port("rest.port");
  }

  int rpcPort() {
    return port("jobmanager.rpc.port");
  }

  int kafkaPort() {
    return port("kafka.port");
  }

  int kafkaControllerPort() {
    return port("kafka.controller.port");
  }

  int slots() {
    return port("taskmanager.slots");
  }

  String restAddress() {
    return "http://localhost:" + restPort();
  }

  String bootstrapServers() {
    return "localhost:" + kafkaPort();
  }

  private int port(String key) {
    return Integer.parseInt(ports.getProperty(key));
  }
}
