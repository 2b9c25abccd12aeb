/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.codebook;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import org.ccvit.tokenizer.kmeans.PartialSums;
import org.ccvit.tokenizer.npy.Npy;

/**
 * How the driver and the subtasks of the one k-means job hand each other an iteration's data
 * through the run's work directory: the driver publishes iteration i's centroids, every subtask
 * waits for them and publishes its partition's {@link PartialSums}, the driver waits for all of
 * them, then removes the centroids. Files appear whole (written aside, then moved), so a waiting
 * side never reads a partial file. 50 MB of sums (K=8192, D=768) per partition go this way rather
 * than through Flink's collect channel.
 *
 * @param runDir the run's folder, visible to the driver and every TaskManager
 */
record IterationExchange(String runDir) implements Serializable {

  /** How often a waiting side looks for its file: small next to an iteration (0.1 s and up). */
  private static final long POLL_NANOS = 200_000;

  /**
   * How long a subtask waits for the next centroids before giving up: far longer than any
   * iteration, short enough that a job whose driver died does not hold its slots for ever.
   */
  private static final Duration SUBTASK_PATIENCE = Duration.ofHours(1);

  void publishCentroids(int iteration, float[] centroids, int k, int dim) throws IOException {
    Path file = centroidsFile(iteration);
    Path aside = aside(file);
    Npy.writeFloat32(aside, centroids, k, dim);
    Files.move(aside, file, StandardCopyOption.ATOMIC_MOVE);
  }

  /** In a subtask: the centroids of the iteration, once the driver has published them. */
  float[] awaitCentroids(int iteration) throws IOException {
    Path file = centroidsFile(iteration);
    long deadline = System.nanoTime() + SUBTASK_PATIENCE.toNanos();
    while (!Files.exists(file)) {
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "no centroids for k-means iteration "
                + iteration
                + " within "
                + SUBTASK_PATIENCE
                + " ("
                + file
                + "): the driver is gone");
      }
      pause();
    }
    return Npy.read(file).toFloats();
  }

  /** The driver is done with the iteration's centroids once every partition's sums are in. */
  void retireCentroids(int iteration) throws IOException {
    Files.delete(centroidsFile(iteration));
  }

  void publishSums(int iteration, int partition, PartialSums sums) throws IOException {
    Path file = sumsFile(iteration, partition);
    Path aside = aside(file);
    PartialSumsFile.write(aside, sums);
    Files.move(aside, file, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * In the driver: the partitions' sums of the iteration merged in partition order, so that the
   * result does not depend on which subtask finished first.
   *
   * @param job the job's result, to stop waiting when it has ended without the sums
   */
  PartialSums awaitSums(int iteration, int partitions, int k, int dim, CompletableFuture<?> job)
      throws IOException {
    PartialSums total = null;
    for (int p = 0; p < partitions; p++) {
      Path file = sumsFile(iteration, p);
      while (!Files.exists(file)) {
        if (job.isDone()) {
          throw new IOException(
              "the k-means job ended without the sums of iteration "
                  + iteration
                  + " partition "
                  + p
                  + " ("
                  + file
                  + ")",
              failure(job));
        }
        pause();
      }
      PartialSums part = PartialSumsFile.read(file, k, dim);
      Files.delete(file);
      total = total == null ? part : total.merge(part);
    }
    return total;
  }

  private Path centroidsFile(int iteration) {
    return Path.of(runDir, "centroids-" + iteration + ".npy");
  }

  private Path sumsFile(int iteration, int partition) {
    return Path.of(runDir, "sums-" + iteration + "-" + partition + ".bin");
  }

  private static Path aside(Path file) {
    return file.resolveSibling(file.getFileName() + ".part");
  }

  private static Throwable failure(CompletableFuture<?> job) {
    try {
      job.get();
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e;
    }
  }

  private static void pause() throws InterruptedIOException {
    LockSupport.parkNanos(POLL_NANOS);
    if (Thread.currentThread().isInterrupted()) {
      // Flink interrupts a cancelled task: stop waiting.
      throw new InterruptedIOException("interrupted while waiting for k-means data");
    }
  }
}
