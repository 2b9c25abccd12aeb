/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared read-only test data given by the build's system properties. */
public final class GoldenFiles {
  private GoldenFiles() {}

  /** A case folder under {@code ccvit.golden.dir}; skips the test if it is absent. */
  public static Path goldenCase(String name) {
    return existing("ccvit.golden.dir", name);
  }

  /** A folder under {@code ccvit.datasets.dir}; skips the test if it is absent. */
  public static Path dataset(String name) {
    return existing("ccvit.datasets.dir", name);
  }

  private static Path existing(String property, String name) {
    String root = System.getProperty(property);
    assumeTrue(root != null, "system property " + property + " is not set");
    Path dir = Path.of(root, name);
    assumeTrue(Files.isDirectory(dir), dir + " is absent");
    return dir;
  }
}
