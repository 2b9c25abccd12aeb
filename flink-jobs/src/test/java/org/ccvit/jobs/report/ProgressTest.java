/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void plainLinesEveryIntervalWithRateAndTimeLeft() {
    AtomicLong now = new AtomicLong(0);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    try (Progress progress = Progress.plain("tokenize", "images", 1000, out, now::get)) {
      for (int i = 0; i < 250; i++) {
        now.addAndGet(SECOND / 10);
        progress.step();
      }
    }
    assertEquals(
        String.join(
            System.lineSeparator(),
            "tokenize: 100/1000 images (10%), 10.0 images/s, 1 min 30 s left",
            "tokenize: 200/1000 images (20%), 10.0 images/s, 1 min 20 s left",
            "tokenize: 250/1000 images (25%), 10.0 images/s, 1 min 15 s left",
            ""),
        bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void unknownTotalGivesCountAndRate() {
    AtomicLong now = new AtomicLong(0);
    Progress progress = Progress.plain("codebook", "images", 0, System.err, now::get);
    now.set(4 * SECOND);
    assertEquals("codebook: 50 images, 12.5 images/s", progress.line(50, now.get()));
  }

  @Test
  void durationsReadAsPeopleWriteThem() {
    assertEquals("42 s", Progress.duration(41.6));
    assertEquals("3 min 05 s", Progress.duration(185));
    assertEquals("1 h 02 min", Progress.duration(3725));
  }
}
