/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.flink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.ccvit.tokenizer.io.AtomicFile;
import org.ccvit.trainer.Trainer;

/**
 * The output's {@value TrainerSinkOptions#WEIGHTS_FILE} and the step it holds ({@value
 * TrainerSinkOptions#WEIGHTS_STEP_FILE}), and the pending weights of checkpoints in {@value
 * TrainerSinkOptions#PENDING_DIR}. Weights replace the published ones only when their step is
 * newer, so a checkpoint that completes late never replaces later weights (those of the end of
 * input, say); a start or restore sets them unconditionally, as it cuts {@code metrics.csv} back.
 */
final class PublishedWeights {

  /** Writer and committer may run in different threads of one JVM. */
  private static final Object LOCK = new Object();

  private final TrainerSinkOptions options;

  PublishedWeights(TrainerSinkOptions options) {
    this.options = options;
  }

  /** Writes the trainer's weights to {@code file} (complete or not at all). */
  static void write(Trainer trainer, Path file) throws IOException {
    AtomicFile.write(file, trainer::writeWeights);
  }

  /** The step of the published weights, or -1 when there are none. */
  long step() throws IOException {
    Path stepFile = options.output(TrainerSinkOptions.WEIGHTS_STEP_FILE);
    if (!Files.exists(stepFile)) {
      return -1;
    }
    return Long.parseLong(Files.readString(stepFile, StandardCharsets.UTF_8).trim());
  }

  /**
   * Publishes {@code candidate} (moved, same file system) if {@code step} is newer than the
   * published step; otherwise deletes it.
   *
   * @return whether it was published
   */
  boolean publishIfNewer(Path candidate, long step) throws IOException {
    synchronized (LOCK) {
      if (step <= step()) {
        Files.deleteIfExists(candidate);
        return false;
      }
      replace(candidate, step);
      return true;
    }
  }

  /** Publishes {@code candidate} whatever the published step (a start or restore). */
  void replace(Path candidate, long step) throws IOException {
    synchronized (LOCK) {
      Path weights = options.output(TrainerSinkOptions.WEIGHTS_FILE);
      Path stepFile = options.output(TrainerSinkOptions.WEIGHTS_STEP_FILE);
      // The step goes first: if a crash comes between, the step names weights not yet there, and
      // a late commit of older weights is refused all the same.
      AtomicFile.write(
          stepFile, out -> out.write(Long.toString(step).getBytes(StandardCharsets.UTF_8)));
      Files.move(
          candidate, weights, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /**
   * Deletes pending weights of checkpoints before {@code checkpointId}: their commits came first,
   * so what is left belongs to checkpoints that failed.
   */
  void deletePendingBefore(long checkpointId) throws IOException {
    for (Path p : pendingFiles()) {
      long id = checkpointId(p);
      if (id >= 0 && id < checkpointId) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Deletes all pending weights (at a start or restore: the weights of the restored step are
   * published instead, so no earlier commit has anything left to do).
   */
  void clearPending() throws IOException {
    for (Path p : pendingFiles()) {
      Files.deleteIfExists(p);
    }
  }

  private List<Path> pendingFiles() throws IOException {
    Path dir = options.pendingDir();
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList();
    }
  }

  /** The id in a {@code chk-<id>.safetensors} name, or -1 for anything else. */
  private static long checkpointId(Path file) {
    String name = file.getFileName().toString();
    if (!name.startsWith("chk-") || !name.endsWith(".safetensors")) {
      return -1;
    }
    try {
      return Long.parseLong(name.substring(4, name.length() - ".safetensors".length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
