/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.infra;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The broker settings of the project's one-node brokers: the in-process one of tests and the demo,
 * the broker process of {@code ccvit cluster}, and the compose file's (a test compares them).
 * Listeners, ports and folders are each broker's own.
 */
public final class KafkaBrokerConfig {

  private KafkaBrokerConfig() {}

  public static Map<String, String> shared() {
    Map<String, String> c = new LinkedHashMap<>();
    // One node: internal topics cannot be replicated; one partition makes the first transactional
    // producer start quickly.
    c.put("offsets.topic.replication.factor", "1");
    c.put("offsets.topic.num.partitions", "1");
    c.put("transaction.state.log.replication.factor", "1");
    c.put("transaction.state.log.min.isr", "1");
    c.put("transaction.state.log.num.partitions", "1");
    c.put("group.initial.rebalance.delay.ms", "0");
    // Records up to 32 MiB: encoded images and full-size codebooks exceed Kafka's 1 MB default.
    c.put("message.max.bytes", String.valueOf(KafkaTopics.MAX_MESSAGE_BYTES));
    c.put("replica.fetch.max.bytes", String.valueOf(KafkaTopics.MAX_MESSAGE_BYTES));
    return c;
  }
}
