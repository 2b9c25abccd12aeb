/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.ccvit.infra.KafkaBrokerConfig;
import org.ccvit.infra.KafkaTopics;
import org.ccvit.infra.cluster.FlinkClusterConfig;
import org.ccvit.jobs.FlinkEnvironments;
import org.ccvit.trainer.MklDispatch;
import org.junit.jupiter.api.Test;

/**
 * The Docker image, the compose file and the Kubernetes manifests carry what the standalone cluster
 * of {@code ccvit cluster} (and {@code ClusterPretrainIT}) runs with: the same Flink settings
 * ({@link FlinkClusterConfig}, sizes apart), JVM options, TaskManager environment, broker settings,
 * DJL jars in lib/, job jar and topics.
 */
class DeploymentConfigTest {

  /**
   * The standalone cluster's settings with its JVM options as Flink keys, as the image has them.
   */
  private static Map<String, String> imageSettings() {
    Map<String, String> expected = new LinkedHashMap<>(FlinkClusterConfig.shared());
    expected.put("env.java.opts.all", String.join(" ", FlinkClusterConfig.jvmOptions()));
    expected.put(
        "env.java.opts.taskmanager", String.join(" ", FlinkClusterConfig.taskManagerJvmOptions()));
    return expected;
  }

  @Test
  void theImageHasTheStandaloneClustersSettingsEnvironmentAndDjlJars() throws IOException {
    assertEquals(
        imageSettings(),
        DeploymentFiles.strings(DeploymentFiles.yaml(DeploymentFiles.IMAGE_CONFIG)));
    Map<String, String> env = DeploymentFiles.dockerEnvironment();
    FlinkClusterConfig.taskManagerEnvironment()
        .forEach((k, v) -> assertEquals(v, env.get(k), "Dockerfile ENV " + k));
    // The DJL jars of the standalone cluster's lib/ are exactly those the image adds to its lib/.
    Path imageLib = DeploymentFiles.imageLibSource();
    Path clusterLib = imageLib.resolveSibling("lib");
    Set<String> image = jarNames(imageLib);
    Set<String> djl = new TreeSet<>();
    for (String jar : jarNames(clusterLib)) {
      if (jar.startsWith("api-") || jar.startsWith("pytorch-") || jar.startsWith("jna-")) {
        djl.add(jar);
      }
    }
    assertTrue(image.containsAll(djl), "image lib " + image + " lacks some of " + djl);
    assertTrue(
        jarNames(clusterLib).containsAll(image), "image lib " + image + " beyond the cluster's");
    assertTrue(image.stream().anyMatch(j -> j.startsWith("pytorch-native-")), "PyTorch's natives");
  }

  @Test
  void theImagePreloadsTheMklDispatchLibraryItCopies() throws IOException {
    String preload = DeploymentFiles.dockerEnvironment().get("LD_PRELOAD");
    String copy = "COPY trainer-sink/target/native/" + MklDispatch.LIBRARY + " " + preload + "\n";
    assertTrue(
        preload != null && preload.endsWith("/" + MklDispatch.LIBRARY), "LD_PRELOAD " + preload);
    assertTrue(
        Files.readString(DeploymentFiles.DOCKERFILE).contains(copy),
        "the Dockerfile lacks " + copy);
  }

  @Test
  void composeKeepsTheImagesSettingsAndTheBrokersAndSubmitsTheImagesJobJar() throws IOException {
    JsonNode services = DeploymentFiles.yaml(DeploymentFiles.COMPOSE).path("services");
    Map<String, String> broker = new LinkedHashMap<>();
    services
        .path("kafka")
        .path("environment")
        .fields()
        .forEachRemaining(
            e -> {
              if (e.getKey().startsWith("KAFKA_")) {
                broker.put(
                    e.getKey().substring(6).toLowerCase().replace('_', '.'), e.getValue().asText());
              }
            });
    KafkaBrokerConfig.shared().forEach((k, v) -> assertEquals(v, broker.get(k), "broker " + k));
    for (String flink : List.of("jobmanager", "taskmanager")) {
      Map<String, String> own =
          DeploymentFiles.flinkProperties(
              services.path(flink).path("environment").path("FLINK_PROPERTIES").asText());
      for (String key : own.keySet()) {
        assertTrue(
            !imageSettings().containsKey(key) || FlinkClusterConfig.SIZED.contains(key),
            flink + " overrides the shared setting " + key);
      }
    }
    List<String> submit = texts(services.path("pretrain").path("command"));
    assertTrue(submit.contains(DeploymentFiles.imageJobJar()), "submits the image's job jar");
    assertTrue(submit.contains("org.ccvit.jobs.pretrain.PretrainJob"), submit.toString());
    requireTopics(services.path("topics").path("command").get(0).asText(), "compose");
  }

  @Test
  void theFlinkDeploymentHasTheSharedAndTheJobsSettings() throws IOException {
    Map<String, String> conf =
        DeploymentFiles.strings(
            DeploymentFiles.yaml(DeploymentFiles.DEPLOYMENT)
                .path("spec")
                .path("flinkConfiguration"));
    Map<String, String> expected = new LinkedHashMap<>(imageSettings());
    expected.putAll(FlinkEnvironments.jobDefaults());
    List<String> differences = new ArrayList<>();
    expected.forEach(
        (k, v) -> {
          if (!conf.containsKey(k)
              || (!FlinkClusterConfig.SIZED.contains(k) && !v.equals(conf.get(k)))) {
            differences.add(k + ": expected " + v + ", found " + conf.get(k));
          }
        });
    assertEquals(List.of(), differences);
    assertTrue(conf.containsKey("execution.checkpointing.savepoint-dir"), "savepoint folder");
  }

  @Test
  void theTopicJobCreatesTheTopicsWithTheRecordLimitAndACompactedCodebookTopic()
      throws IOException {
    JsonNode container =
        DeploymentFiles.yaml(DeploymentFiles.TOPICS_JOB)
            .path("spec")
            .path("template")
            .path("spec")
            .path("containers")
            .get(0);
    requireTopics(container.path("args").get(0).asText(), "the topic Job");
  }

  /** The three topics, each allowing the project's record size; codebooks compacted. */
  private static void requireTopics(String script, String where) {
    for (String topic : List.of("ccvit-images", "ccvit-codebooks", "ccvit-rejects")) {
      String line =
          script
              .lines()
              .filter(l -> l.contains("--topic " + topic + " "))
              .findFirst()
              .orElseThrow(() -> new AssertionError(where + " creates no " + topic));
      assertTrue(
          line.contains("max.message.bytes=" + KafkaTopics.MAX_MESSAGE_BYTES), where + ": " + line);
      assertEquals(
          topic.equals("ccvit-codebooks"),
          line.contains("cleanup.policy=compact"),
          where + ": " + line);
    }
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(n -> texts.add(n.asText()));
    return texts;
  }

  private static Set<String> jarNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return new TreeSet<>(files.map(f -> f.getFileName().toString()).toList());
    }
  }
}
