/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import picocli.CommandLine.Option;

/** Whether, and with which Python, benchmarks also run faiss (never a dependency). */
final class FaissOptions {

  @Option(names = "--faiss", description = "Also run faiss (python3-faiss) through --python.")
  boolean faiss;

  @Option(
      names = "--python",
      defaultValue = "/usr/bin/python3",
      description = "Python with faiss (default: ${DEFAULT-VALUE}).")
  String python;
}
