/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.infra.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Java process of the local cluster, started detached (output to a log file, no pipes to this
 * JVM) so that it outlives the command that started it, and known afterwards only by its pid file.
 */
public final class JavaProcess {

  private JavaProcess() {}

  /**
   * Starts {@code java jvmOptions -cp classPath mainClass args}, writing stdout and stderr to
   * {@code output} and the pid to {@code pidFile}.
   */
  public static long start(
      List<String> jvmOptions,
      String classPath,
      String mainClass,
      List<String> args,
      Map<String, String> environment,
      Path output,
      Path pidFile)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(javaExecutable());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classPath);
    command.add(mainClass);
    command.addAll(args);
    Files.createDirectories(output.getParent());
    Files.createDirectories(pidFile.getParent());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().putAll(environment);
    long pid = builder.start().pid();
    Files.writeString(pidFile, pid + "\n", StandardCharsets.UTF_8);
    return pid;
  }

  /** Runs a short Java program to completion and returns its output; fails on a non-zero exit. */
  public static List<String> run(String classPath, String mainClass, List<String> args, Path dir)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(javaExecutable(), "-cp", classPath, mainClass));
    command.addAll(args);
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed:\n" + output);
    }
    return output.lines().toList();
  }

  /** The live process whose pid the file holds, if any. */
  public static Optional<ProcessHandle> find(Path pidFile) {
    try {
      if (!Files.exists(pidFile)) {
        return Optional.empty();
      }
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Asks the process to stop (SIGTERM: Flink and Kafka shut down cleanly), kills it after {@code
   * grace}, and deletes the pid file.
   */
  public static void stop(Path pidFile, Duration grace) throws IOException {
    Optional<ProcessHandle> process = find(pidFile);
    if (process.isPresent()) {
      ProcessHandle p = process.get();
      p.destroy();
      try {
        p.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        p.destroyForcibly();
        p.onExit().join();
      }
    }
    Files.deleteIfExists(pidFile);
  }

  /** The last lines of a log, for error messages. */
  public static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no " + log + ")";
    }
  }

  private static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
