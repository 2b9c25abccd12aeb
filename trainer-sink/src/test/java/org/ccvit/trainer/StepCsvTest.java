/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepCsvTest {

  @TempDir Path dir;

  @Test
  void continuingAfterAStepDropsTheLaterRowsAndAppends() throws IOException {
    Path file = dir.resolve("log.csv");
    try (StepCsv csv = new StepCsv(file, "step,x", 0)) {
      for (int step = 1; step <= 5; step++) {
        csv.append(step + ",a" + step);
      }
    }
    // A crash may leave a torn last line: it is dropped with the rest of the lost steps.
    Files.writeString(file, "6,a", java.nio.file.StandardOpenOption.APPEND);
    try (StepCsv csv = new StepCsv(file, "step,x", 3)) {
      csv.append("4,b4");
    }
    assertEquals(List.of("step,x", "1,a1", "2,a2", "3,a3", "4,b4"), Files.readAllLines(file));

    try (StepCsv csv = new StepCsv(file, "step,x", 0)) {
      csv.append("1,c1");
    }
    assertEquals(List.of("step,x", "1,c1"), Files.readAllLines(file), "step 0 starts afresh");
  }

  @Test
  void refusesAFileWithAnotherHeader() throws IOException {
    Path file = dir.resolve("other.csv");
    Files.writeString(file, "epoch,y\n1,2\n");
    IOException e = assertThrows(IOException.class, () -> new StepCsv(file, "step,x", 1));
    assertTrue(e.getMessage().contains("expected the header 'step,x'"), e.getMessage());
  }
}
