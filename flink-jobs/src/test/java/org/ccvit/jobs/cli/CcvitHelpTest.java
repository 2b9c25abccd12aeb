/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

class CcvitHelpTest {

  @Test
  void everyCommandAndOptionExplainsItself() {
    CommandLine root = Ccvit.commandLine();
    List<CommandLine> all = new ArrayList<>();
    collect(root, all);
    for (CommandLine command : all) {
      CommandSpec spec = command.getCommandSpec();
      assertFalse(
          String.join("", spec.usageMessage().description()).isBlank(),
          spec.qualifiedName() + " has no description");
      for (OptionSpec option : spec.options()) {
        assertFalse(
            String.join("", option.description()).isBlank(),
            spec.qualifiedName() + " " + option.longestName() + " has no description");
      }
    }
    for (String name : List.of("ingest", "codebook", "tokenize", "pretrain", "demo", "weights")) {
      assertEquals(0, Ccvit.commandLine().execute(name, "--help"), name);
    }
  }

  /** Picocli formats help texts with String.format: a bare '%' garbles them and warns. */
  @Test
  void everyHelpTextFormatsWithoutWarnings() {
    List<CommandLine> all = new ArrayList<>();
    collect(Ccvit.commandLine(), all);
    PrintStream stderr = System.err;
    ByteArrayOutputStream warnings = new ByteArrayOutputStream();
    System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
    try {
      all.forEach(CommandLine::getUsageMessage);
    } finally {
      System.setErr(stderr);
    }
    assertEquals("", warnings.toString(StandardCharsets.UTF_8));
  }

  private static void collect(CommandLine command, List<CommandLine> into) {
    into.add(command);
    command.getSubcommands().values().stream()
        .filter(sub -> !sub.getCommandName().equals("help"))
        .forEach(sub -> collect(sub, into));
  }
}
