/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.ccvit.tokenizer.io.AtomicFile;

/**
 * An append-only CSV file whose first column is the optimizer step, flushed per line. Opening it
 * for a run that continues after step s keeps the rows of steps 1..s and drops later ones, so after
 * a restore the file describes the surviving lineage only: no step appears twice.
 */
public final class StepCsv implements AutoCloseable {

  private final BufferedWriter writer;

  /**
   * @param file the CSV file; created (with {@code header}) when missing
   * @param header the first line; an existing file must start with it
   * @param keepThroughStep rows of later steps are dropped; 0 starts an empty file
   */
  public StepCsv(Path file, String header, long keepThroughStep) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    if (keepThroughStep > 0 && Files.exists(file)) {
      keepLineage(file, header, keepThroughStep);
      this.writer =
          Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    } else {
      this.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
      writer.write(header);
      writer.newLine();
      writer.flush();
    }
  }

  private static void keepLineage(Path file, String header, long lastStep) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    String first = lines.isEmpty() ? null : lines.get(0);
    if (!header.equals(first)) {
      throw new IOException(
          file + " starts with '" + first + "', expected the header '" + header + "'");
    }
    StringBuilder kept = new StringBuilder(header).append(System.lineSeparator());
    for (String line : lines.subList(1, lines.size())) {
      int comma = line.indexOf(',');
      try {
        // A line cut short by a crash has no complete step field or row; it is dropped too.
        if (comma > 0 && Long.parseLong(line.substring(0, comma)) <= lastStep) {
          kept.append(line).append(System.lineSeparator());
        }
      } catch (NumberFormatException e) {
        throw new IOException(file + " has a row whose first field is not a step number", e);
      }
    }
    AtomicFile.write(file, out -> out.write(kept.toString().getBytes(StandardCharsets.UTF_8)));
  }

  /** Appends one row (without line end) and flushes it. */
  public void append(String row) throws IOException {
    writer.write(row);
    writer.newLine();
    writer.flush();
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }
}
