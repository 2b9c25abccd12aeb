/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * How the MKL inside PyTorch chooses its GEMM kernels in this process. It asks first whether the
 * CPU is an Intel one, and on other CPUs settles for AVX2 kernels even where the CPU has AVX-512;
 * the `ccvit` launcher preloads {@value #LIBRARY} (built from `src/main/native`), which answers
 * yes, so that MKL chooses by the CPU's features. On an AMD EPYC with AVX-512 that made a training
 * step 2.5x faster (BENCHMARKS.md). {@code CCVIT_MKL_DISPATCH=vendor} turns it off.
 */
public final class MklDispatch {

  /** The library's file name, as the build writes it to {@code trainer-sink/target/native}. */
  public static final String LIBRARY = "libccvit-mkl-dispatch.so";

  private MklDispatch() {}

  /** True when {@value #LIBRARY} is loaded into this process (it must be preloaded to act). */
  public static boolean byCpuFeatures() {
    Path maps = Path.of("/proc/self/maps");
    if (!Files.isReadable(maps)) {
      return false;
    }
    try (Stream<String> lines = Files.lines(maps)) {
      return lines.anyMatch(line -> line.endsWith("/" + LIBRARY));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One line for `--version` and benchmark output. */
  public static String describe() {
    return byCpuFeatures()
        ? "by CPU features (" + LIBRARY + " preloaded)"
        : "by CPU vendor (" + LIBRARY + " not preloaded)";
  }
}
