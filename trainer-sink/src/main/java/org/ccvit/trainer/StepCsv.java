/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

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
    Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "lineage", ".csv");
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      String first = in.readLine();
      if (!header.equals(first)) {
        throw new IOException(
            file + " starts with '" + first + "', expected the header '" + header + "'");
      }
      out.write(header);
      out.newLine();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        int comma = line.indexOf(',');
        // A line cut short by a crash has no complete step field or row; it is dropped too.
        if (comma > 0 && Long.parseLong(line.substring(0, comma)) <= lastStep) {
          out.write(line);
          out.newLine();
        }
      }
    } catch (NumberFormatException e) {
      Files.deleteIfExists(tmp);
      throw new IOException(file + " has a row whose first field is not a step number", e);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
