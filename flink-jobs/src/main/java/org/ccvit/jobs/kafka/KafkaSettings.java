/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Where the Kafka cluster is, the record size the project's producers allow, and the client
 * settings of a secured cluster (TLS, SASL) read from a properties file, never from the command
 * line, where {@code ps} would show them.
 *
 * @param bootstrapServers the brokers to contact first
 * @param client further client settings (e.g. {@code security.protocol}, {@code
 *     ssl.truststore.location}, {@code sasl.jaas.config}) for producers and consumers alike
 */
public record KafkaSettings(String bootstrapServers, Map<String, String> client)
    implements Serializable {

  /**
   * Encoded images can exceed Kafka's 1 MB default; the broker's message.max.bytes and the topic's
   * max.message.bytes must allow this too (see README).
   */
  public static final int MAX_RECORD_BYTES = 32 * 1024 * 1024;

  /** The environment variable naming the client properties file when no option names one. */
  public static final String PROPERTIES_ENV = "CCVIT_KAFKA_PROPERTIES";

  public KafkaSettings {
    client = new TreeMap<>(client);
    if (client.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
      throw new IllegalArgumentException(
          "give bootstrap.servers as --bootstrap-servers, not in the client properties");
    }
  }

  /** A cluster without client settings (plaintext, no authentication). */
  public KafkaSettings(String bootstrapServers) {
    this(bootstrapServers, Map.of());
  }

  /**
   * The settings for {@code bootstrapServers} with the client properties of {@code file}, or, when
   * it is null, of the file named by the environment variable {@value #PROPERTIES_ENV}, if set.
   */
  public static KafkaSettings of(String bootstrapServers, Path file) {
    return of(bootstrapServers, file, System.getenv());
  }

  static KafkaSettings of(String bootstrapServers, Path file, Map<String, String> environment) {
    String fromEnvironment = environment.get(PROPERTIES_ENV);
    Path source =
        file != null ? file : fromEnvironment == null ? null : Path.of(fromEnvironment.trim());
    if (source == null) {
      return new KafkaSettings(bootstrapServers);
    }
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(source)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Kafka client properties " + source, e);
    }
    Map<String, String> client = new TreeMap<>();
    properties.stringPropertyNames().forEach(k -> client.put(k, properties.getProperty(k)));
    return new KafkaSettings(bootstrapServers, client);
  }

  public Properties producerProperties() {
    Properties props = new Properties();
    props.putAll(client);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_RECORD_BYTES);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return props;
  }

  /** The client settings and record sizes for a Flink Kafka source (which sets the servers). */
  public Properties consumerProperties() {
    Properties props = new Properties();
    props.putAll(client);
    props.put("max.partition.fetch.bytes", String.valueOf(MAX_RECORD_BYTES));
    props.put("fetch.max.bytes", String.valueOf(MAX_RECORD_BYTES));
    return props;
  }

  /** The client settings for a Flink Kafka sink (which sets the servers and serializers). */
  public Properties sinkProperties() {
    Properties props = new Properties();
    props.putAll(client);
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(MAX_RECORD_BYTES));
    return props;
  }

  /** Names the client settings but never shows their values, which may be secrets. */
  @Override
  public String toString() {
    return "KafkaSettings[bootstrapServers="
        + bootstrapServers
        + ", client="
        + client.keySet()
        + "]";
  }
}
