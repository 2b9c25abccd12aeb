/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CosineScheduleTest {

  @Test
  void warmupThenCosineThenFinalForever() {
    CosineSchedule schedule = new CosineSchedule(1.0, 0.1, 0.2, 5, 15);
    assertEquals(0.2, schedule.valueAt(0), 0);
    assertEquals(0.2 + 0.8 / 4, schedule.valueAt(1), 1e-15);
    assertEquals(1.0, schedule.valueAt(4), 0);
    assertEquals(1.0, schedule.valueAt(5), 0);
    assertEquals(0.1 + 0.45 * (1 + Math.cos(Math.PI * 0.5)), schedule.valueAt(10), 1e-15);
    assertEquals(0.1 + 0.45 * (1 + Math.cos(Math.PI * 0.9)), schedule.valueAt(14), 1e-15);
    assertEquals(0.1, schedule.valueAt(15), 0);
    assertEquals(0.1, schedule.valueAt(1_000_000_000_000L), 0);
  }

  @Test
  void aOneStepWarmupIsTheStartValueAsInNumpyLinspace() {
    double[] values = CosineSchedule.original(1.0, 0.0, 2, 2, 1, 0.3, 1);
    assertEquals(0.3, values[0], 0);
    assertEquals(1.0, values[1], 0);
  }

  @Test
  void invalidSettingsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new CosineSchedule(1, 0, 10, 5));
    assertThrows(IllegalArgumentException.class, () -> new CosineSchedule(1, 0, -1, 5));
    assertThrows(IllegalArgumentException.class, () -> new CosineSchedule(Double.NaN, 0, 1, 5));
    assertThrows(IllegalArgumentException.class, () -> new CosineSchedule(1, 0, 1, 5).valueAt(-1));
    assertThrows(
        IllegalArgumentException.class, () -> CosineSchedule.original(1, 0, 1, 4, 2, 0, -1));
  }
}
