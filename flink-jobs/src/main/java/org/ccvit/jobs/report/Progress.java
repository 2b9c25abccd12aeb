/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.report;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * Progress of long bounded work: a progress bar with count, rate and time left on a terminal, and a
 * plain line every few seconds elsewhere (CI logs, files), so that neither a user nor a log is left
 * without news. Thread-safe; counts come from the work itself (records done), never a guess.
 */
public final class Progress implements AutoCloseable {

  /** Seconds between plain lines. */
  static final Duration PLAIN_INTERVAL = Duration.ofSeconds(10);

  private final String task;
  private final String unit;
  private final long total;
  private final ProgressBar bar;
  private final PrintStream plain;
  private final LongSupplier clock;
  private final long startNanos;
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong nextPlainLine;

  private Progress(
      String task,
      String unit,
      long total,
      ProgressBar bar,
      PrintStream plain,
      LongSupplier clock) {
    this.task = task;
    this.unit = unit;
    this.total = total;
    this.bar = bar;
    this.plain = plain;
    this.clock = clock;
    this.startNanos = clock.getAsLong();
    this.nextPlainLine = new AtomicLong(startNanos + PLAIN_INTERVAL.toNanos());
  }

  /**
   * Starts reporting on standard error: a bar when it is a terminal, plain lines otherwise.
   *
   * @param total units of work, or a value below 1 when unknown (count and rate only)
   */
  public static Progress start(String task, String unit, long total) {
    if (System.console() != null) {
      ProgressBar bar =
          new ProgressBarBuilder()
              .setTaskName(task)
              .setInitialMax(total > 0 ? total : -1)
              .setUnit(" " + unit, 1)
              .showSpeed()
              .setConsumer(new ConsoleProgressBarConsumer(System.err))
              .build();
      return new Progress(task, unit, total, bar, null, System::nanoTime);
    }
    return plain(task, unit, total, System.err, System::nanoTime);
  }

  /** Plain lines to {@code out}, timed by {@code clock} (nanoseconds). */
  static Progress plain(String task, String unit, long total, PrintStream out, LongSupplier clock) {
    return new Progress(task, unit, total, null, out, clock);
  }

  /** One more unit done. */
  public void step() {
    stepBy(1);
  }

  /** {@code n} more units done. */
  public void stepBy(long n) {
    long count = done.addAndGet(n);
    if (bar != null) {
      bar.stepBy(n);
      return;
    }
    long now = clock.getAsLong();
    long due = nextPlainLine.get();
    if (now >= due && nextPlainLine.compareAndSet(due, now + PLAIN_INTERVAL.toNanos())) {
      plain.println(line(count, now));
    }
  }

  /** The plain line for {@code count} units done at {@code now}. */
  String line(long count, long now) {
    double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
    double rate = count / seconds;
    StringBuilder text = new StringBuilder(task).append(": ").append(count);
    if (total > 0) {
      text.append('/').append(total);
    }
    text.append(' ').append(unit);
    if (total > 0) {
      text.append(String.format(Locale.ROOT, " (%d%%)", Math.min(100, 100 * count / total)));
    }
    text.append(String.format(Locale.ROOT, ", %.1f %s/s", rate, unit));
    if (total > 0 && rate > 0) {
      text.append(", ").append(duration(Math.max(0, total - count) / rate)).append(" left");
    }
    return text.toString();
  }

  /** {@code 42 s}, {@code 3 min 05 s} or {@code 1 h 02 min}. */
  public static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    } else if (done.get() > 0) {
      plain.println(line(done.get(), clock.getAsLong()));
    }
  }
}
