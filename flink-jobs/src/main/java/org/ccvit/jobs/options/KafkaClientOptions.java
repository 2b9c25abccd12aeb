/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.options;

import java.nio.file.Path;
import org.ccvit.jobs.kafka.KafkaSettings;
import picocli.CommandLine.Option;

/** The client settings of a secured Kafka cluster, from a file: never values on a command line. */
public final class KafkaClientOptions {

  @Option(
      names = "--kafka-properties",
      paramLabel = "FILE",
      description =
          "Kafka client settings of a secured cluster (security.protocol, ssl.*, sasl.*) as a"
              + " properties file; default: the file named by $"
              + KafkaSettings.PROPERTIES_ENV
              + ", if set. Secrets never go on the command line.")
  public Path file;

  /** The settings for {@code bootstrapServers} with this file's client settings. */
  public KafkaSettings settings(String bootstrapServers) {
    return KafkaSettings.of(bootstrapServers, file);
  }
}
