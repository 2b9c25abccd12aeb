/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.infra.cluster;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the class paths of the cluster's processes come from: {@code infra/flink-lib/target/lib}
 * (Flink's modules, RocksDB, the web UI, log4j, DJL with PyTorch's natives: what a Flink
 * distribution's {@code lib/} holds) and {@code infra/target/kafka-lib} (the Kafka broker), both
 * filled by {@code mvn package}.
 *
 * @param flinkLib the JobManager's and TaskManagers' class path folder
 * @param kafkaLib the broker's class path folder
 */
public record ClusterLibraries(Path flinkLib, Path kafkaLib) {

  /** The folders under a checkout of the project at {@code home}. */
  public static ClusterLibraries underProject(Path home) {
    return new ClusterLibraries(
        home.resolve("infra/flink-lib/target/lib").toAbsolutePath(),
        home.resolve("infra/target/kafka-lib").toAbsolutePath());
  }

  /** The folders under the project named by the system property {@code ccvit.home}. */
  public static ClusterLibraries fromSystemProperty() {
    String home = System.getProperty("ccvit.home");
    if (home == null) {
      throw new IllegalStateException(
          "set -Dccvit.home to the project's folder (the ./ccvit launcher does)");
    }
    return underProject(Path.of(home));
  }

  /** Fails with the command that builds them when a folder is missing. */
  public ClusterLibraries requireBuilt() {
    for (Path dir : new Path[] {flinkLib, kafkaLib}) {
      if (!Files.isDirectory(dir)) {
        throw new IllegalStateException(
            dir + " is missing: build it with 'mvn -DskipTests package'");
      }
    }
    return this;
  }

  String flinkClassPath() {
    return flinkLib.resolve("*").toString();
  }

  String kafkaClassPath() {
    return kafkaLib.resolve("*").toString();
  }
}
