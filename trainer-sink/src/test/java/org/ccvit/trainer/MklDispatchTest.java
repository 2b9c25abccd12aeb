/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dispatch library, preloaded as the launcher does, answers the vendor check of the MKL inside
 * the libtorch that DJL loads: the dynamic linker's own record of symbol bindings says so.
 */
class MklDispatchTest {

  private static final Path LIBRARY = Path.of("target", "native", MklDispatch.LIBRARY);

  @Test
  void preloadedLibraryAnswersTheVendorCheckOfPyTorchsMkl(@TempDir Path dir) throws Exception {
    assertTrue(
        Files.exists(LIBRARY),
        "the build writes it (src/main/native/build.sh); it needs a C compiler (cc)");
    Process child = startGemm(dir, LIBRARY.toAbsolutePath().toString());
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(child.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, child.exitValue(), out);
    assertTrue(out.contains("by CPU features"), out);
    List<String> bindings = bindings(dir);
    assertTrue(
        bindings.stream()
            .anyMatch(
                line ->
                    line.contains("libtorch_cpu.so")
                        && line.contains("to " + LIBRARY.toAbsolutePath())
                        && line.contains("`mkl_serv_intel_cpu_true'")),
        () -> "no binding of MKL's vendor check to the library among " + bindings);
  }

  @Test
  void withoutThePreloadMklAnswersItself(@TempDir Path dir) throws Exception {
    Process child = startGemm(dir, "");
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(child.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, child.exitValue(), out);
    assertTrue(out.contains("by CPU vendor"), out);
    assertTrue(bindings(dir).stream().noneMatch(line -> line.contains(MklDispatch.LIBRARY)));
  }

  /** A JVM that runs one GEMM through DJL, with the dynamic linker logging its bindings. */
  private static Process startGemm(Path dir, String preload) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Dai.djl.offline=true");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Gemm.class.getName());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    // MKL's conditional-reproducibility mode (the tests' setting) skips the kernel choice.
    env.remove("MKL_CBWR");
    env.put("LD_PRELOAD", preload);
    env.put("LD_DEBUG", "bindings");
    env.put("LD_DEBUG_OUTPUT", dir.resolve("bindings").toString());
    return builder.start();
  }

  private static List<String> bindings(Path dir) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        try (Stream<String> fileLines = Files.lines(file, StandardCharsets.ISO_8859_1)) {
          fileLines
              .filter(l -> l.contains("mkl_serv") || l.contains("dispatch"))
              .forEach(lines::add);
        }
      }
    }
    return lines;
  }

  /** The child's work: a float32 GEMM large enough for MKL, then how its kernels were chosen. */
  public static final class Gemm {
    public static void main(String[] args) {
      try (NDManager manager = NDManager.newBaseManager()) {
        NDArray a = manager.randomUniform(0f, 1f, new Shape(256, 256));
        System.out.println("sum " + a.matMul(a).sum().getFloat());
      }
      System.out.println("MKL kernels chosen " + MklDispatch.describe());
    }
  }
}
