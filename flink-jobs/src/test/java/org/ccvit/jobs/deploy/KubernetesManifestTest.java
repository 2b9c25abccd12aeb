/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.Test;

/**
 * Every manifest under {@code infra/k8s} is read with the published model classes of its kind: the
 * Flink Kubernetes Operator's {@code FlinkDeployment} and fabric8's Kubernetes {@code Job}. A field
 * the model does not know fails the test, at any depth: the operator's classes ignore unknown
 * fields, so the manifest must survive reading and writing back whole, and the Kubernetes classes,
 * which keep unknown fields aside, are searched for them. So a misspelt key fails CI instead of
 * being dropped by the API server or the operator.
 */
class KubernetesManifestTest {
  static final Path K8S = DeploymentFiles.ROOT.resolve("infra/k8s");
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  @Test
  void everyManifestParsesWithTheModelClassesOfItsKind() throws IOException {
    List<Path> manifests;
    try (Stream<Path> files = Files.list(K8S)) {
      manifests = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    assertEquals(2, manifests.size(), "the FlinkDeployment and the topic Job: " + manifests);
    for (Path manifest : manifests) {
      Object model = parse(Files.readString(manifest));
      assertTrue(model instanceof FlinkDeployment || model instanceof Job, manifest.toString());
    }
  }

  @Test
  void aMisspeltFieldFailsInTheOperatorsSpecAndInsideAPodTemplate() throws IOException {
    String deployment = Files.readString(K8S.resolve("flink-deployment.yaml"));
    parse(deployment);
    for (String[] typo :
        List.of(
            new String[] {"upgradeMode: savepoint", "upgradMode: savepoint"},
            new String[] {"ephemeralStorage: 4Gi", "ephemeralStorge: 4Gi"},
            new String[] {"mountPath: /data", "mountPth: /data"},
            new String[] {"claimName: ccvit-data", "claimname: ccvit-data"},
            new String[] {"upgradeMode: savepoint", "upgradeMode: save-point"})) {
      assertTrue(deployment.contains(typo[0]), typo[0]);
      String broken = deployment.replace(typo[0], typo[1]);
      assertThrows(IOException.class, () -> parse(broken), typo[1] + " is refused");
    }
    String job = Files.readString(K8S.resolve("kafka-topics-job.yaml"));
    assertThrows(
        IOException.class,
        () -> parse(job.replace("restartPolicy:", "restartPolicyy:")),
        "a misspelt Job field is refused");
  }

  /** Parses one manifest into the model class of its apiVersion and kind. */
  static Object parse(String yaml) throws IOException {
    JsonNode tree = YAML.readTree(yaml);
    String kind = tree.path("apiVersion").asText() + "/" + tree.path("kind").asText();
    Object model =
        switch (kind) {
          case "flink.apache.org/v1beta1/FlinkDeployment" ->
              YAML.treeToValue(withModelFlinkVersion(tree), FlinkDeployment.class);
          case "batch/v1/Job" -> YAML.treeToValue(tree, Job.class);
          default -> throw new IOException("no model class for " + kind);
        };
    List<String> unknown = new ArrayList<>();
    collectUnknownFields(model, tree.path("kind").asText(), unknown);
    collectDroppedFields(tree, YAML.valueToTree(model), tree.path("kind").asText(), unknown);
    if (!unknown.isEmpty()) {
      throw new IOException("fields the model does not know: " + unknown);
    }
    return model;
  }

  /**
   * The manifest names the project's Flink version ({@code v2_2}, operator 1.13); the newest
   * operator model on Maven Central here (1.10.0) lists versions up to {@code v1_20}. The version
   * is checked here and the rest of the spec, unchanged since, is read by the older model.
   */
  private static JsonNode withModelFlinkVersion(JsonNode tree) throws IOException {
    String[] version = EnvironmentInformation.getVersion().split("\\.");
    String expected = "v" + version[0] + "_" + version[1];
    String given = tree.path("spec").path("flinkVersion").asText();
    if (!expected.equals(given)) {
      throw new IOException("flinkVersion " + given + " is not the project's Flink " + expected);
    }
    ObjectNode copy = tree.deepCopy();
    ((ObjectNode) copy.path("spec")).put("flinkVersion", "v1_20");
    return copy;
  }

  /**
   * Fields of the manifest that the model left out when read (the operator's classes ignore fields
   * they do not know): what reading and writing back lost.
   */
  private static void collectDroppedFields(
      JsonNode given, JsonNode read, String path, List<String> unknown) {
    if (given.isObject()) {
      given
          .fieldNames()
          .forEachRemaining(
              name -> {
                if (!read.has(name)) {
                  unknown.add(path + "." + name);
                } else {
                  collectDroppedFields(given.get(name), read.get(name), path + "." + name, unknown);
                }
              });
    } else if (given.isArray()) {
      for (int i = 0; i < given.size(); i++) {
        collectDroppedFields(given.get(i), read.path(i), path + "[" + i + "]", unknown);
      }
    }
  }

  /** Fields the Kubernetes model classes kept aside as unknown ({@code additionalProperties}). */
  private static void collectUnknownFields(Object value, String path, List<String> unknown) {
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> collectUnknownFields(v, path + "." + k, unknown));
      return;
    }
    if (value instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        collectUnknownFields(item, path + "[" + i++ + "]", unknown);
      }
      return;
    }
    if (value == null || value.getClass().isEnum() || !isModel(value.getClass())) {
      return;
    }
    for (Class<?> c = value.getClass(); c != null && isModel(c); c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        if (Modifier.isStatic(field.getModifiers())) {
          continue;
        }
        field.setAccessible(true);
        Object child;
        try {
          child = field.get(value);
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
        if (field.getName().equals("additionalProperties")
            && child instanceof Map<?, ?> extra
            && !extra.isEmpty()) {
          unknown.add(path + ": " + extra.keySet());
        } else {
          collectUnknownFields(child, path + "." + field.getName(), unknown);
        }
      }
    }
  }

  private static boolean isModel(Class<?> c) {
    String name = c.getName();
    return name.startsWith("io.fabric8.") || name.startsWith("org.apache.flink.kubernetes.");
  }

  @Test
  void theJobJarIsTheImagesUsrlibJarAndTheEntryClassExists() throws Exception {
    FlinkDeployment deployment =
        (FlinkDeployment) parse(Files.readString(K8S.resolve("flink-deployment.yaml")));
    assertEquals(
        "local://" + DeploymentFiles.imageJobJar(), deployment.getSpec().getJob().getJarURI());
    Class.forName(deployment.getSpec().getJob().getEntryClass());
    assertFalse(
        String.join(" ", deployment.getSpec().getJob().getArgs()).contains("password"),
        "no secret among the job's arguments");
  }
}
