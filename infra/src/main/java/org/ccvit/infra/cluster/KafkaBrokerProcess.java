/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.infra.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.ccvit.infra.KafkaBrokerConfig;
import org.ccvit.infra.KafkaTopics;

/**
 * A one-node Kafka (KRaft, combined broker and controller) as its own process: Kafka's {@code
 * kafka.Kafka} main with a {@code server.properties} under {@code DIR/kafka}, the log directory
 * formatted once by Kafka's {@code StorageTool}. Its settings match the embedded broker's: 32 MiB
 * records, internal topics with one replica.
 */
final class KafkaBrokerProcess {
  static final String PID = "kafka";

  private final ClusterDirectory dir;
  private final ClusterLibraries libraries;

  KafkaBrokerProcess(ClusterDirectory dir, ClusterLibraries libraries) {
    this.dir = dir;
    this.libraries = libraries;
  }

  /** Writes the broker's configuration for the directory's ports; formats storage once. */
  void configure() throws IOException, InterruptedException {
    Path kafka = dir.kafka();
    Path data = kafka.resolve("data");
    Files.createDirectories(data);
    String props =
        String.join(
            "\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@localhost:" + dir.kafkaControllerPort(),
            "listeners=PLAINTEXT://localhost:"
                + dir.kafkaPort()
                + ",CONTROLLER://localhost:"
                + dir.kafkaControllerPort(),
            "advertised.listeners=PLAINTEXT://localhost:" + dir.kafkaPort(),
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "inter.broker.listener.name=PLAINTEXT",
            "log.dirs=" + data.toAbsolutePath(),
            "");
    StringBuilder shared = new StringBuilder();
    KafkaBrokerConfig.shared()
        .forEach((k, v) -> shared.append(k).append('=').append(v).append('\n'));
    props += shared;
    Files.writeString(kafka.resolve("server.properties"), props);
    Files.writeString(
        kafka.resolve("log4j2.properties"),
        String.join(
            "\n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.file.ref = File",
            "appender.file.name = File",
            "appender.file.type = File",
            "appender.file.fileName = " + dir.log().resolve("kafka.log").toAbsolutePath(),
            "appender.file.layout.type = PatternLayout",
            "appender.file.layout.pattern = [%d] %p %m (%c)%n",
            ""));
    if (!Files.exists(data.resolve("meta.properties"))) {
      JavaProcess.run(
          libraries.kafkaClassPath(),
          "kafka.tools.StorageTool",
          List.of(
              "format",
              "--cluster-id",
              Uuid.randomUuid().toString(),
              "--config",
              kafka.resolve("server.properties").toString()),
          kafka);
    }
  }

  void start() throws IOException {
    if (running()) {
      return;
    }
    Path kafka = dir.kafka();
    JavaProcess.start(
        List.of(
            "-Xms256m",
            "-Xmx512m",
            "-Dlog4j2.configurationFile=" + kafka.resolve("log4j2.properties").toAbsolutePath()),
        libraries.kafkaClassPath(),
        "kafka.Kafka",
        List.of(kafka.resolve("server.properties").toString()),
        Map.of(),
        dir.log().resolve("kafka.out"),
        dir.pidFile(PID));
  }

  /** Waits until the broker accepts clients; fails early if its process ended. */
  void awaitReady(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!listening() || !KafkaTopics.answers(dir.bootstrapServers(), Duration.ofSeconds(2))) {
      if (!running()) {
        throw new IOException(
            "the Kafka broker stopped:\n" + JavaProcess.tail(dir.log().resolve("kafka.out"), 30));
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("the Kafka broker did not answer within " + timeout);
      }
      Thread.sleep(200);
    }
  }

  /** Whether the broker's port accepts connections (before asking with a client that logs). */
  private boolean listening() {
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), dir.kafkaPort()), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  boolean running() {
    return JavaProcess.find(dir.pidFile(PID)).isPresent();
  }

  void stop() throws IOException {
    JavaProcess.stop(dir.pidFile(PID), Duration.ofSeconds(30));
  }
}
