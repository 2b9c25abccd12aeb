/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.codebook.Codebook;

/** What tests of running jobs share: image folders, a codebook, free ports, polling. */
public final class LocalRuns {

  private LocalRuns() {}

  /** Something a test polls for; null means not yet. */
  public interface Probe<T> {
    T value() throws IOException;
  }

  /** Polls every 200 ms until the probe gives a value; fails after {@code timeoutMs}. */
  public static <T> T await(Probe<T> probe, String what, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      T value = probe.value();
      if (value != null) {
        return value;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("timed out waiting for " + what);
  }

  /** A free port on the loopback interface. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  /** The first {@code count} Imagenette validation images as files in {@code folder}. */
  public static Path imageFolder(Path folder, int count) throws IOException {
    Files.createDirectories(folder);
    for (ImageRecord r : RealImages.imagenetteValidation(count)) {
      byte[] bytes = new byte[r.getImage().remaining()];
      r.getImage().duplicate().get(bytes);
      Files.write(folder.resolve(r.getKey() + "." + r.getFormat()), bytes);
    }
    return folder;
  }

  /**
   * A codebook of uniform random centroids written to {@code npy}: any codebook of the right shape
   * serves tests about what a run shows rather than what it learns.
   */
  public static Path randomCodebook(Path npy, int k, int patchSize) throws IOException {
    SplittableRandom random = new SplittableRandom(5);
    float[] centroids = new float[k * 3 * patchSize * patchSize];
    for (int i = 0; i < centroids.length; i++) {
      centroids[i] = (float) random.nextDouble();
    }
    new Codebook("random", k, patchSize, 3, centroids).writeNpy(npy);
    return npy;
  }
}
