/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The shared read-only test data (datasets and golden vectors) at the Maven property {@code
 * ccvit.shared.dir}, for the tests of every module. Where it is absent a test is skipped on a
 * contributor's machine, but fails under CI (environment {@code CI=true}, as {@code .ci/run} sets,
 * or {@code -Dccvit.shared.required=true}) with a message naming what is missing: checks against
 * real data cannot pass by being skipped there.
 */
public final class SharedData {
  private SharedData() {}

  /** Whether missing shared data fails the test instead of skipping it. */
  public static boolean required() {
    return "true".equalsIgnoreCase(System.getenv("CI"))
        || Boolean.getBoolean("ccvit.shared.required");
  }

  /** Fails (under CI) or skips the test because {@code what} is missing. */
  public static void missing(String what) {
    String message = what + " (shared data at " + sharedDir() + ", -Dccvit.shared.dir)";
    if (required()) {
      fail("missing under CI: " + message);
    }
    assumeTrue(false, "skipped, " + message);
  }

  /** A file or folder under the shared datasets, e.g. "photos/images". */
  public static Path dataset(String relative) {
    Path path = root("ccvit.datasets.dir", "datasets").resolve(relative);
    if (!Files.exists(path)) {
      missing("dataset " + path + " not found");
    }
    return path;
  }

  /** The golden vectors folder. */
  public static Path goldenDir() {
    Path dir = root("ccvit.golden.dir", "golden");
    if (!Files.isDirectory(dir)) {
      missing("golden vectors folder " + dir + " not found");
    }
    return dir;
  }

  /**
   * Every golden case folder (a folder of the golden dir with a manifest.json) that holds all the
   * given files or folders, sorted by name. None at all is missing data.
   */
  public static List<Path> goldenCasesWith(String... files) {
    return goldenCases(null, files);
  }

  /** As {@link #goldenCasesWith}, among the cases whose manifest has a top-level {@code key}. */
  public static List<Path> goldenCasesWithManifestKey(String key, String... files) {
    return goldenCases(key, files);
  }

  private static List<Path> goldenCases(String manifestKey, String... files) {
    Path golden = goldenDir();
    List<Path> cases;
    try (Stream<Path> dirs = Files.list(golden)) {
      cases =
          dirs.filter(d -> Files.isRegularFile(d.resolve("manifest.json")))
              .filter(d -> Arrays.stream(files).allMatch(f -> Files.exists(d.resolve(f))))
              .filter(d -> manifestKey == null || manifest(d).has(manifestKey))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + golden, e);
    }
    if (cases.isEmpty()) {
      missing(
          "no golden case under "
              + golden
              + (manifestKey == null ? "" : " has \"" + manifestKey + "\" in its manifest and")
              + " holds "
              + (files.length == 0 ? "a manifest.json" : String.join(", ", files)));
    }
    return cases;
  }

  /** A case's manifest.json. */
  public static JsonNode manifest(Path goldenCase) {
    try {
      return new ObjectMapper().readTree(goldenCase.resolve("manifest.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + goldenCase.resolve("manifest.json"), e);
    }
  }

  private static Path sharedDir() {
    return Path.of(System.getProperty("ccvit.shared.dir", "../shared"));
  }

  private static Path root(String property, String underShared) {
    String dir = System.getProperty(property);
    return dir != null ? Path.of(dir) : sharedDir().resolve(underShared);
  }
}
