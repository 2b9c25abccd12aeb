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
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.ccvit.infra.EmbeddedKafka;
import org.ccvit.infra.cluster.FlinkClusterConfig;
import org.ccvit.infra.cluster.FlinkRest;
import org.ccvit.jobs.LocalRuns;
import org.ccvit.jobs.kafka.KafkaPublisher;
import org.ccvit.jobs.kafka.KafkaSettings;
import org.ccvit.jobs.pretrain.PretrainJob;
import org.ccvit.jobs.pretrain.PretrainOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A SASL password in the Kafka client properties file ({@code --kafka-properties}) reaches the
 * job's Kafka clients but shows nowhere else: not in the logs (INFO, as a cluster logs), not in the
 * REST API's job, JobManager and checkpoint configuration or job plan, not in any metric name of
 * the REST API or of the Prometheus reporter. The same scrape shows the metrics the README's
 * dashboard list names, under their Prometheus names.
 */
class SecretsStayHiddenTest {
  private static final String SECRET = "Sekr3t-ccvit-7f3a9";
  private static final int PATCH_SIZE = 8;
  private static final int K = 64;
  private static final long TIMEOUT_MS = 60_000;

  @TempDir Path tmp;

  @Test
  void aKafkaPasswordReachesTheClientsButNoLogRestAnswerOrMetric() throws Exception {
    long start = System.nanoTime();
    Path properties = tmp.resolve("kafka-client.properties");
    Files.writeString(
        properties,
        String.join(
            "\n",
            // Plaintext broker: the SASL settings are parsed and logged by every client, not used.
            "sasl.mechanism=PLAIN",
            "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"ccvit\" password=\""
                + SECRET
                + "\";",
            "ssl.truststore.password=" + SECRET,
            ""));
    Path codebook = LocalRuns.randomCodebook(tmp.resolve("centroids.npy"), K, PATCH_SIZE);
    StringWriter logs = new StringWriter();
    Map<String, String> published = new LinkedHashMap<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        LogCapture capture = new LogCapture(logs)) {
      kafka.createTopics(1, "images", "rejects");
      KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers(), properties);
      try (KafkaPublisher publisher = new KafkaPublisher(settings)) {
        publisher.publishImages(
            List.of(LocalRuns.imageFolder(tmp.resolve("images"), 8)),
            "images",
            30,
            0,
            new KafkaPublisher.RecordLimit(1_000_000, KafkaPublisher.Oversize.REFUSE));
      }
      PretrainOptions options = new PretrainOptions();
      new CommandLine(options)
          .setCaseInsensitiveEnumValuesAllowed(true)
          .parseArgs(
              "--bootstrap-servers",
              kafka.bootstrapServers(),
              "--topic",
              "images",
              "--reject-topic",
              "rejects",
              "--kafka-properties",
              properties.toString(),
              "--codebook",
              codebook.toString(),
              "--out",
              tmp.resolve("out").toString(),
              "--parallelism",
              "1",
              "--checkpoint-interval",
              "300",
              "--image-size",
              "64",
              "--patch-size",
              String.valueOf(PATCH_SIZE),
              "--batch-size",
              "4");
      int restPort = LocalRuns.freePort();
      int prometheusPort = LocalRuns.freePort();
      Map<String, String> cluster = new HashMap<>();
      cluster.put("rest.address", "127.0.0.1");
      cluster.put("rest.bind-address", "127.0.0.1");
      cluster.put("rest.bind-port", String.valueOf(restPort));
      cluster.putAll(FlinkClusterConfig.prometheus(String.valueOf(prometheusPort)));
      StreamExecutionEnvironment env = PretrainJob.environment(options, null, cluster);
      JobClient job = PretrainJob.submit(options, env);
      FlinkRest rest = new FlinkRest("http://127.0.0.1:" + restPort);
      String id = job.getJobID().toHexString();
      try {
        String trainer =
            LocalRuns.await(
                () -> vertex(rest, id, "trainer: Writer"), "the trainer vertex", TIMEOUT_MS);
        String losses =
            "/jobs/" + id + "/vertices/" + trainer + "/metrics?get=0.trainer__Writer.loss";
        LocalRuns.await(
            () ->
                Double.isFinite(rest.get(losses).path(0).path("value").asDouble(Double.NaN))
                    ? Boolean.TRUE
                    : null,
            "a first training step",
            TIMEOUT_MS);
        LocalRuns.await(
            () -> rest.completedCheckpoints(id) >= 1 ? Boolean.TRUE : null,
            "a checkpoint",
            TIMEOUT_MS);
        for (String path :
            List.of(
                "/jobs/" + id,
                "/jobs/" + id + "/config",
                "/jobs/" + id + "/jobmanager/config",
                "/jobs/" + id + "/plan",
                "/jobs/" + id + "/checkpoints/config",
                "/jobmanager/config",
                "/jobmanager/environment",
                "/taskmanagers")) {
          published.put("REST " + path, rest.get(path).toString());
        }
        for (JsonNode v : rest.get("/jobs/" + id).path("vertices")) {
          String metrics = "/jobs/" + id + "/vertices/" + v.path("id").asText() + "/metrics";
          published.put("REST " + metrics, rest.get(metrics).toString());
        }
        published.put("Prometheus /metrics", scrape(prometheusPort));
      } finally {
        job.cancel().get();
      }
    }
    published.put("logs", logs.toString());
    System.out.printf(
        "secrets test: job and checks took %.1f s%n", (System.nanoTime() - start) / 1e9);
    List<String> leaks =
        published.entrySet().stream()
            .filter(e -> e.getValue().contains(SECRET))
            .map(Map.Entry::getKey)
            .toList();
    assertEquals(List.of(), leaks, "places that show the secret");
    // The secret did reach the clients: Kafka lists their settings, masking passwords.
    assertTrue(
        logs.toString().contains("sasl.jaas.config = [hidden]"),
        "the consumers and producers were given the SASL settings");
    String scrape = published.get("Prometheus /metrics");
    for (String metric :
        List.of(
            "flink_taskmanager_job_task_operator_loss",
            "flink_taskmanager_job_task_operator_accuracyMasked",
            "flink_taskmanager_job_task_operator_samplesPerSecond",
            "flink_taskmanager_job_task_operator_codebookVersion",
            "flink_taskmanager_job_task_operator_rejects",
            "flink_taskmanager_job_task_operator_samples",
            "flink_taskmanager_job_task_operator_stageNanos_tokenize",
            "flink_taskmanager_job_task_operator_codebookUsage",
            "flink_taskmanager_job_task_busyTimeMsPerSecond",
            "flink_jobmanager_job_numRestarts",
            "flink_taskmanager_job_task_backPressuredTimeMsPerSecond",
            "flink_jobmanager_job_lastCheckpointDuration")) {
      assertTrue(scrape.contains(metric + "{"), "Prometheus serves " + metric);
    }
  }

  private static String vertex(FlinkRest rest, String jobId, String name) throws IOException {
    if (!rest.answers()) {
      return null;
    }
    for (JsonNode v : rest.get("/jobs/" + jobId).path("vertices")) {
      if (v.path("name").asText().startsWith(name)) {
        return v.path("id").asText();
      }
    }
    return null;
  }

  private static String scrape(int port) throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /**
   * Everything logged at INFO or above goes to a writer while it is open, as a cluster's log files
   * would hold it; the console keeps showing warnings only.
   */
  private static final class LogCapture implements AutoCloseable {
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final LoggerConfig root = context.getConfiguration().getRootLogger();
    private final Level level = root.getLevel();
    private final Map<String, Appender> appenders = new HashMap<>(root.getAppenders());
    private final Appender capture;

    LogCapture(StringWriter target) {
      capture =
          WriterAppender.newBuilder()
              .setName("secrets-capture")
              .setTarget(target)
              .setLayout(PatternLayout.newBuilder().withPattern("%c %m%n%ex").build())
              .build();
      capture.start();
      appenders.keySet().forEach(root::removeAppender);
      appenders.values().forEach(a -> root.addAppender(a, level, null));
      root.addAppender(capture, Level.INFO, null);
      root.setLevel(Level.INFO);
      context.updateLoggers();
    }

    @Override
    public void close() {
      root.removeAppender(capture.getName());
      appenders.keySet().forEach(root::removeAppender);
      appenders.values().forEach(a -> root.addAppender(a, null, null));
      root.setLevel(level);
      context.updateLoggers();
      capture.stop();
    }
  }
}
