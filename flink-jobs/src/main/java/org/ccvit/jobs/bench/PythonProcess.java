/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.bench;

import java.util.List;

/** Starts the reference Python (faiss) the way its users run it. */
final class PythonProcess {

  private PythonProcess() {}

  /**
   * The launcher sets OMP_WAIT_POLICY=PASSIVE for PyTorch; faiss's OpenMP loops run many times
   * slower with it, so the child gets OpenMP's default policy. OpenBLAS gets the kernel of this CPU
   * ({@link OpenBlasKernel}).
   */
  static ProcessBuilder of(List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("OMP_WAIT_POLICY");
    OpenBlasKernel.configure(builder.environment());
    return builder;
  }
}
