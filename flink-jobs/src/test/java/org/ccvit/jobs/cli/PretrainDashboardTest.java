/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ccvit.infra.cluster.FlinkRest;
import org.ccvit.jobs.LocalRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local {@code ccvit pretrain} serves Flink's REST API and web dashboard on {@code
 * --web-ui-port}: while it trains on real images the job is listed as running, the trainer's loss
 * gauge and the checkpoint statistics are readable there, and the port is free again afterwards.
 */
class PretrainDashboardTest {
  private static final int PATCH_SIZE = 8;
  private static final int K = 64;
  // 30 s timed out waiting for the job to run on the shared 2-core machine at a load of 40.
  private static final long TIMEOUT_MS = 90_000;

  @TempDir Path tmp;

  @Test
  void aLocalRunShowsItsJobLossAndCheckpointsOnTheRestApiAndReleasesThePort() throws Exception {
    Path images = LocalRuns.imageFolder(tmp.resolve("images"), 8);
    Path codebook = LocalRuns.randomCodebook(tmp.resolve("centroids.npy"), K, PATCH_SIZE);
    int port = LocalRuns.freePort();

    // Enough passes to outlast the checks; the run is cancelled once they are done.
    CompletableFuture<Integer> run =
        CompletableFuture.supplyAsync(
            () ->
                Ccvit.commandLine()
                    .execute(
                        "pretrain",
                        "--images",
                        images.toString(),
                        "--passes",
                        "1000",
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
                        "4",
                        // The first step as soon as a batch has arrived, not a full buffer.
                        "--shuffle-buffer",
                        "0",
                        "--web-ui-port",
                        String.valueOf(port)));
    FlinkRest rest = new FlinkRest("http://127.0.0.1:" + port);
    try {
      String jobId =
          LocalRuns.await(() -> runningJob(rest), "the job listed as RUNNING", TIMEOUT_MS);
      String trainer = rest.vertexId(jobId, "trainer: Writer");
      String metrics = "/jobs/" + jobId + "/vertices/" + trainer + "/metrics";
      String lossId =
          LocalRuns.await(
              () -> metricId(rest.get(metrics), ".loss"),
              "the trainer's loss gauge listed",
              TIMEOUT_MS);
      double loss =
          LocalRuns.await(
              () -> {
                double value =
                    rest.get(metrics + "?get=" + lossId).path(0).path("value").asDouble();
                return Double.isFinite(value) ? value : null;
              },
              "a loss after the first step",
              TIMEOUT_MS);
      assertTrue(loss > 0, "cross-entropy plus MSE is positive: " + loss);
      LocalRuns.await(
          () -> rest.completedCheckpoints(jobId) >= 1 ? Boolean.TRUE : null,
          "a completed checkpoint",
          TIMEOUT_MS);
      String page =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(rest.address() + "/")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertTrue(page.contains("Apache Flink Web Dashboard"), "the dashboard is served: " + page);
    } finally {
      rest.cancelUnfinishedJobs();
    }
    assertEquals(1, run.get(TIMEOUT_MS, TimeUnit.MILLISECONDS), "a cancelled run exits with 1");
    LocalRuns.await(
        () -> canBind(port) ? Boolean.TRUE : null, "port " + port + " released", TIMEOUT_MS);
  }

  private static String runningJob(FlinkRest rest) throws IOException {
    if (!rest.answers()) {
      return null;
    }
    for (JsonNode job : rest.get("/jobs").path("jobs")) {
      if ("RUNNING".equals(job.path("status").asText())) {
        return job.path("id").asText();
      }
    }
    return null;
  }

  private static String metricId(JsonNode metrics, String suffix) {
    for (JsonNode metric : metrics) {
      if (metric.path("id").asText().endsWith(suffix)) {
        return metric.path("id").asText();
      }
    }
    return null;
  }

  private static boolean canBind(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
