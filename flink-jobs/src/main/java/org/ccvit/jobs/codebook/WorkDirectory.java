/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.codebook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;

/** Temporary per-run folders under a work directory. */
public final class WorkDirectory {
  private WorkDirectory() {}

  /** A new, uniquely named folder under {@code workDir} (created if needed). */
  public static Path createRunDir(Path workDir, String prefix) throws IOException {
    Files.createDirectories(workDir);
    return Files.createDirectory(workDir.resolve(prefix + "-" + UUID.randomUUID()));
  }

  /** Deletes a folder and everything in it, if it exists. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
