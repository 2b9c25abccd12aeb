/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The README's command table says what {@code --help} says: every command it shows exists with
 * every option it shows, and every command of the command line has a row.
 */
class ReadmeCommandTableTest {

  private static final Path README = Path.of("..", "README.md");
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");
  private static final Pattern OPTION = Pattern.compile("--[a-z][a-z0-9-]*");

  @Test
  void tableMatchesTheCommandLine() throws IOException {
    List<String> problems = new ArrayList<>();
    Set<String> documented = new LinkedHashSet<>();
    for (String usage : tableUsages()) {
      CommandLine command = Ccvit.commandLine();
      String[] words = usage.replace("\\|", "|").split("\\s+");
      int i = 0;
      while (i < words.length && command.getSubcommands().containsKey(words[i])) {
        command = command.getSubcommands().get(words[i++]);
      }
      if (i == 0) {
        problems.add("'" + usage + "' names no command");
        continue;
      }
      String name = command.getCommandSpec().qualifiedName();
      documented.add(name);
      Matcher options = OPTION.matcher(usage);
      while (options.find()) {
        if (command.getCommandSpec().findOption(options.group()) == null) {
          problems.add(name + " has no option " + options.group() + " (README: '" + usage + "')");
        }
      }
    }
    Set<String> missing = new TreeSet<>(leafCommands(Ccvit.commandLine()));
    missing.removeAll(documented);
    missing.forEach(name -> problems.add(name + " has no row in the README's command table"));
    assertTrue(problems.isEmpty(), String.join("\n", problems));
    assertEquals(leafCommands(Ccvit.commandLine()).size(), documented.size(), "no stray rows");
  }

  /**
   * The code spans of the first column of the table that follows the heading (rows that apply to
   * several commands apart).
   */
  private static List<String> tableUsages() throws IOException {
    List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
    int start = lines.indexOf("## Command line");
    List<String> usages = new ArrayList<>();
    boolean inTable = false;
    for (String line : lines.subList(start + 1, lines.size())) {
      if (inTable && !line.startsWith("|")) {
        break;
      }
      inTable = line.startsWith("|");
      if (!line.startsWith("| `")) {
        continue;
      }
      String firstCell = line.substring(2).split(" \\| ", 2)[0];
      Matcher code = CODE.matcher(firstCell);
      while (code.find()) {
        if (!code.group(1).startsWith("...")) {
          usages.add(code.group(1));
        }
      }
    }
    return usages;
  }

  private static Set<String> leafCommands(CommandLine command) {
    Set<String> leaves = new TreeSet<>();
    command.getSubcommands().values().stream()
        .filter(sub -> !sub.getCommandName().equals("help"))
        .forEach(
            sub -> {
              if (sub.getSubcommands().isEmpty()) {
                leaves.add(sub.getCommandSpec().qualifiedName());
              } else {
                leaves.addAll(leafCommands(sub));
              }
            });
    return leaves;
  }
}
