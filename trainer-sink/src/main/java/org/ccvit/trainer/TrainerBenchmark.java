/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import java.util.stream.LongStream;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.trainer.model.CcvitConfig;

/**
 * Times the trainer's optimizer step on synthetic batches of a model's shapes ({@link
 * SyntheticSamples}): warm-up steps first, then the median of the measured steps per phase.
 */
public final class TrainerBenchmark {
  private TrainerBenchmark() {}

  /**
   * Medians over the measured steps, in milliseconds; each phase's median is taken on its own, so
   * they need not add up to the step's.
   *
   * @param steps every measured step's timings, in order
   * @param cpuNanos the process's CPU time over each measured step (all threads), in order: on a
   *     shared machine, less dependent on other load than the wall time
   * @param peakRssBytes the process's peak resident memory at the end (VmHWM), or -1 if unknown
   */
  public record Result(
      CcvitConfig model,
      int batchSize,
      int accumulate,
      List<StepTimings> steps,
      List<Long> cpuNanos,
      long peakRssBytes) {

    public double medianMs(ToLongFunction<StepTimings> phase) {
      return medianMs(steps.stream().mapToLong(phase));
    }

    public double cpuMsPerStep() {
      return medianMs(cpuNanos.stream().mapToLong(Long::longValue));
    }

    private static double medianMs(LongStream nanos) {
      long[] values = nanos.sorted().toArray();
      int n = values.length;
      return (n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0) / 1e6;
    }

    public double msPerStep() {
      return medianMs(StepTimings::totalNanos);
    }

    public double samplesPerSecond() {
      return batchSize * accumulate / (msPerStep() / 1e3);
    }
  }

  /**
   * @param accumulate micro-batches of {@code train.batchSize()} per optimizer step
   * @param progress told each step's timings as it ends (warm-up steps included)
   */
  public static Result run(
      CcvitConfig model,
      TrainConfig train,
      int accumulate,
      int warmupSteps,
      int steps,
      Consumer<StepTimings> progress) {
    if (steps < 1 || warmupSteps < 0 || accumulate < 1) {
      throw new IllegalArgumentException(
          "need steps >= 1, warmupSteps >= 0, accumulate >= 1; got "
              + steps
              + ", "
              + warmupSteps
              + ", "
              + accumulate);
    }
    Codebook codebook = SyntheticSamples.codebook(model, train.seed());
    int perStep = train.batchSize() * accumulate;
    List<StepTimings> measured = new ArrayList<>();
    List<Long> cpu = new ArrayList<>();
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (Trainer trainer = new Trainer(model, train, codebook)) {
      for (int i = 0; i < warmupSteps + steps; i++) {
        // Fresh samples every step, as a stream brings them; their making is not timed.
        List<TrainingSample> batch = SyntheticSamples.samples(model, codebook, perStep, i);
        long cpuStart = os.getProcessCpuTime();
        trainer.step(batch, train.batchSize());
        long cpuNanos = os.getProcessCpuTime() - cpuStart;
        StepTimings t = trainer.lastTimings();
        progress.accept(t);
        if (i >= warmupSteps) {
          measured.add(t);
          cpu.add(cpuNanos);
        }
      }
    }
    return new Result(model, train.batchSize(), accumulate, measured, cpu, peakRssBytes());
  }

  /** VmHWM of /proc/self/status in bytes, or -1 where there is no such file. */
  public static long peakRssBytes() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream()
          .filter(line -> line.startsWith("VmHWM:"))
          .mapToLong(line -> Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024)
          .findFirst()
          .orElse(-1);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
