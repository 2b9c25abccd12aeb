/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.codebook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CodebookUsageTest {

  @Test
  void countsEachCentroidOnceHoweverOftenItIsUsed() {
    CodebookUsage usage = new CodebookUsage(8);
    assertEquals(0.0, usage.fraction());
    usage.record(new int[] {3, 3, 0});
    usage.record(new int[] {7, 3});
    assertEquals(3 / 8.0, usage.fraction());
  }
}
