/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The OpenBLAS kernel that the Python baselines (faiss) compute with. Debian's OpenBLAS 0.3.21 does
 * not recognise every AVX-512 CPU and then falls back to its generic "Prescott" kernel, a fraction
 * of the machine's speed; a baseline measured so would flatter this project. So the baselines run
 * with {@code OPENBLAS_CORETYPE} set from the CPU's own flags (unless the user set it), and the
 * benchmark prints the kernel OpenBLAS reports.
 */
public final class OpenBlasKernel {

  static final String CORE_TYPE = "OPENBLAS_CORETYPE";

  private OpenBlasKernel() {}

  /** The kernel for a CPU with these {@code /proc/cpuinfo} flags: SkylakeX, Haswell or none. */
  static Optional<String> forFlags(Set<String> flags) {
    if (flags.containsAll(List.of("avx512f", "avx512bw", "avx512vl", "avx512dq"))) {
      return Optional.of("SkylakeX");
    }
    if (flags.containsAll(List.of("avx2", "fma"))) {
      return Optional.of("Haswell");
    }
    return Optional.empty();
  }

  /** Sets {@code OPENBLAS_CORETYPE} for this CPU in a child's environment, unless already set. */
  static void configure(Map<String, String> environment) {
    if (!environment.containsKey(CORE_TYPE)) {
      forFlags(cpuFlags()).ifPresent(core -> environment.put(CORE_TYPE, core));
    }
  }

  /**
   * What OpenBLAS itself says it runs on when {@code python} imports faiss, e.g. {@code "SkylakeX
   * (OPENBLAS_CORETYPE=SkylakeX)"}.
   */
  public static String reported(String python) throws IOException, InterruptedException {
    ProcessBuilder builder = PythonProcess.of(List.of(python, "-c", "import faiss"));
    builder.environment().put("OPENBLAS_VERBOSE", "2");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor();
    String core =
        output
            .lines()
            .filter(line -> line.startsWith("Core: "))
            .map(line -> line.substring("Core: ".length()).trim())
            .findFirst()
            .orElse("not reported (not OpenBLAS?)");
    String setting = builder.environment().get(CORE_TYPE);
    return core + " (" + CORE_TYPE + "=" + (setting == null ? "unset" : setting) + ")";
  }

  private static Set<String> cpuFlags() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.US_ASCII).stream()
          .filter(line -> line.startsWith("flags"))
          .findFirst()
          .map(line -> Arrays.stream(line.split(":", 2)[1].trim().split("\\s+")))
          .map(words -> words.collect(Collectors.toSet()))
          .orElse(Set.of());
    } catch (IOException e) {
      return Set.of();
    }
  }
}
