/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.infra.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The few calls of Flink's REST API that the cluster commands and tests use. */
public final class FlinkRest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String address;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * @param address e.g. {@code http://localhost:8081}
   */
  public FlinkRest(String address) {
    this.address = address;
  }

  public String address() {
    return address;
  }

  /** GET {@code path} (e.g. {@code /overview}) as JSON. */
  public JsonNode get(String path) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(address + path)).timeout(Duration.ofSeconds(10)).build();
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IOException(
            "GET " + path + ": HTTP " + response.statusCode() + " " + response.body());
      }
      return JSON.readTree(response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** Cancels every job that has not ended (e.g. what a failed test left behind). */
  public void cancelUnfinishedJobs() throws IOException {
    for (JsonNode job : get("/jobs/overview").path("jobs")) {
      String state = job.path("state").asText();
      if (!List.of("FINISHED", "FAILED", "CANCELED").contains(state)) {
        HttpRequest request =
            HttpRequest.newBuilder(
                    URI.create(address + "/jobs/" + job.path("jid").asText() + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10))
                .build();
        try {
          client.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
      }
    }
  }

  /** Whether the REST API answers. */
  public boolean answers() {
    try {
      get("/overview");
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Resource ids of the TaskManagers registered with the JobManager. */
  public List<String> taskManagers() throws IOException {
    List<String> ids = new ArrayList<>();
    get("/taskmanagers").path("taskmanagers").forEach(tm -> ids.add(tm.path("id").asText()));
    return ids;
  }

  /** The id of the job's vertex whose name contains {@code fragment}. */
  public String vertexId(String jobId, String fragment) throws IOException {
    for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
      if (vertex.path("name").asText().contains(fragment)) {
        return vertex.path("id").asText();
      }
    }
    throw new IOException("job " + jobId + " has no vertex named like '" + fragment + "'");
  }

  /** Resource ids of the TaskManagers that run subtasks of a vertex. */
  public List<String> taskManagersOf(String jobId, String vertexId) throws IOException {
    List<String> ids = new ArrayList<>();
    get("/jobs/" + jobId + "/vertices/" + vertexId + "/taskmanagers")
        .path("taskmanagers")
        .forEach(tm -> ids.add(tm.path("taskmanager-id").asText()));
    return ids;
  }

  /** Completed checkpoints of the job so far. */
  public long completedCheckpoints(String jobId) throws IOException {
    return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
  }

  /** The job's status, e.g. RUNNING, FINISHED. */
  public String jobState(String jobId) throws IOException {
    return get("/jobs/" + jobId).path("state").asText();
  }
}
