/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.infra;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Topics and liveness checks on a one-node Kafka (the embedded broker or the broker process). */
public final class KafkaTopics {

  /** Largest record the project's brokers accept; images larger than Kafka's 1 MB default fit. */
  public static final int MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

  private KafkaTopics() {}

  /** Creates the topics (one replica each) that do not exist yet. */
  public static void create(String bootstrapServers, int partitions, String... topics)
      throws ExecutionException, InterruptedException {
    try (Admin admin = Admin.create(adminProperties(bootstrapServers))) {
      Set<String> existing = admin.listTopics().names().get();
      for (String topic : topics) {
        if (existing.contains(topic)) {
          continue;
        }
        NewTopic newTopic =
            new NewTopic(topic, partitions, (short) 1)
                .configs(Map.of("max.message.bytes", String.valueOf(MAX_MESSAGE_BYTES)));
        try {
          admin.createTopics(Set.of(newTopic)).all().get();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    }
  }

  /** Whether a broker answers at {@code bootstrapServers} within {@code timeout}. */
  public static boolean answers(String bootstrapServers, Duration timeout) {
    Properties props = adminProperties(bootstrapServers);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    try (Admin admin = Admin.create(props)) {
      return !admin
          .describeCluster()
          .nodes()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .isEmpty();
    } catch (Exception e) {
      return false;
    }
  }

  private static Properties adminProperties(String bootstrapServers) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return props;
  }
}
