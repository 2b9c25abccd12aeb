/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the deployment files under {@code infra/} (tests run in the module's folder). */
final class DeploymentFiles {
  static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  static final Path DOCKERFILE = ROOT.resolve("infra/docker/Dockerfile");
  static final Path IMAGE_CONFIG = ROOT.resolve("infra/docker/flink-config.yaml");
  static final Path COMPOSE = ROOT.resolve("infra/compose/compose.yaml");
  static final Path DEPLOYMENT = ROOT.resolve("infra/k8s/flink-deployment.yaml");
  static final Path TOPICS_JOB = ROOT.resolve("infra/k8s/kafka-topics-job.yaml");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private DeploymentFiles() {}

  static JsonNode yaml(Path file) throws IOException {
    return YAML.readTree(file.toFile());
  }

  /** A YAML mapping of scalars (a Flink configuration) as strings. */
  static Map<String, String> strings(JsonNode mapping) {
    Map<String, String> values = new LinkedHashMap<>();
    mapping.fields().forEachRemaining(e -> values.put(e.getKey(), scalar(e.getValue())));
    return values;
  }

  /** Flink's YAML writes a list as [a, b]; as a string in a manifest it is the same text. */
  private static String scalar(JsonNode node) {
    if (node.isArray()) {
      StringBuilder list = new StringBuilder("[");
      node.forEach(n -> list.append(list.length() > 1 ? ", " : "").append(n.asText()));
      return list.append(']').toString();
    }
    return node.asText();
  }

  /** {@code FLINK_PROPERTIES} text ("key: value" lines) as a map. */
  static Map<String, String> flinkProperties(String text) throws IOException {
    return strings(YAML.readTree(text));
  }

  /** The Dockerfile's ENV settings. */
  static Map<String, String> dockerEnvironment() throws IOException {
    String text = Files.readString(DOCKERFILE).replace("\\\n", " ");
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("ENV ")) {
        Matcher m = Pattern.compile("([A-Z_]+)=(\\S+)").matcher(line);
        while (m.find()) {
          env.put(m.group(1), m.group(2));
        }
      }
    }
    return env;
  }

  /** Where the Dockerfile puts the job jar in the image. */
  static String imageJobJar() throws IOException {
    Matcher m =
        Pattern.compile("(?m)^COPY flink-jobs/target/ccvit-job\\.jar (\\S+)$")
            .matcher(Files.readString(DOCKERFILE));
    if (!m.find()) {
      throw new IOException("the Dockerfile copies no flink-jobs/target/ccvit-job.jar");
    }
    return m.group(1);
  }

  /** The folder the Dockerfile copies into the image's lib/. */
  static Path imageLibSource() throws IOException {
    Matcher m =
        Pattern.compile("(?m)^COPY (\\S+) /opt/flink/lib/$").matcher(Files.readString(DOCKERFILE));
    if (!m.find()) {
      throw new IOException("the Dockerfile adds nothing to /opt/flink/lib/");
    }
    return ROOT.resolve(m.group(1));
  }
}
