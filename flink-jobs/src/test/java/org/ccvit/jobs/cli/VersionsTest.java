/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class VersionsTest {

  @Test
  void versionNamesTheProjectAndItsStack() {
    StringWriter out = new StringWriter();
    int code = Ccvit.commandLine().setOut(new PrintWriter(out)).execute("--version");
    assertEquals(0, code);
    String text = out.toString();
    assertTrue(text.matches("(?s)ccvit \\d+\\.\\d+\\.\\d+.*"), text);
    assertTrue(text.matches("(?s).*\nFlink 2\\.\\d+\\.\\d+\n.*"), text);
    assertTrue(text.matches("(?s).*\nKafka client \\d+\\.\\d+\\.\\d+\n.*"), text);
    assertTrue(text.matches("(?s).*\nDJL 0\\.\\d+\\.\\d+, PyTorch 2\\.\\d+\\.\\d+\n.*"), text);
    assertTrue(text.matches("(?s).*\nGPU: (none found|\\d+ found).*"), text);
  }
}
