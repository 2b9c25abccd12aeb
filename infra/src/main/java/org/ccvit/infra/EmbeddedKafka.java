/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.infra;

import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A single-node Kafka (KRaft, combined broker and controller) running inside this JVM, for the
 * local demo and the tests. Real Kafka code, real network listener: clients and Flink's Kafka
 * connector talk to it exactly as to a cluster.
 */
public final class EmbeddedKafka implements AutoCloseable {

  /** Largest record the embedded broker accepts; images larger than Kafka's 1 MB default fit. */
  public static final int MAX_MESSAGE_BYTES = KafkaTopics.MAX_MESSAGE_BYTES;

  private final KafkaClusterTestKit cluster;

  private EmbeddedKafka(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  /** Formats a fresh log directory, starts the node and waits until it accepts clients. */
  public static EmbeddedKafka start() throws Exception {
    TestKitNodes nodes =
        new TestKitNodes.Builder()
            .setCombined(true)
            .setNumBrokerNodes(1)
            .setNumControllerNodes(1)
            .build();
    KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
    KafkaBrokerConfig.shared().forEach(builder::setConfigProp);
    KafkaClusterTestKit cluster = builder.setDeleteOnClose(true).build();
    try {
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
    return new EmbeddedKafka(cluster);
  }

  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** Creates the topics (one replica each) that do not exist yet. */
  public void createTopics(int partitions, String... topics)
      throws ExecutionException, InterruptedException {
    KafkaTopics.create(bootstrapServers(), partitions, topics);
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
