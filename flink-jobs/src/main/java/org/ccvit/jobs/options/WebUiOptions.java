/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.options;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The Flink REST endpoint and web dashboard of a local run's MiniCluster, on the loopback
 * interface. The MiniCluster always has a REST endpoint; these options fix its port and announce
 * it, or leave it on an unannounced ephemeral port.
 */
public final class WebUiOptions {
  private static final String HOST = "127.0.0.1";

  @Option(
      names = "--web-ui-port",
      description =
          "Port of the local run's Flink web dashboard and REST API (default: a free port).")
  public Integer port;

  @Option(
      names = "--no-web-ui",
      description = "Do not open the web dashboard on a known port, nor print its address.")
  public boolean off;

  /**
   * Flink settings for the local MiniCluster, none for the session cluster at {@code jobManager}
   * when that is not null.
   */
  public Map<String, String> settings(String jobManager) {
    if (jobManager != null) {
      return Map.of();
    }
    if (off) {
      return Map.of("rest.bind-address", HOST, "rest.bind-port", "0");
    }
    return Map.of(
        "rest.address", HOST, "rest.bind-address", HOST, "rest.bind-port", String.valueOf(port()));
  }

  /**
   * Prints {@code dashboard=URL} for the user, unless turned off or the jobs run on the session
   * cluster at {@code jobManager}.
   */
  public void announce(String jobManager) {
    if (jobManager == null && !off) {
      System.out.println("dashboard=http://" + HOST + ":" + port());
    }
  }

  /** The given port, or a free one chosen on the first call. */
  private int port() {
    if (port == null) {
      port = freePort();
    }
    return port;
  }

  // The MiniCluster does not tell a local environment's caller the port it bound, so one is chosen
  // here; another process taking it in between makes the job fail to start, visibly.
  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port for the web dashboard", e);
    }
  }
}
