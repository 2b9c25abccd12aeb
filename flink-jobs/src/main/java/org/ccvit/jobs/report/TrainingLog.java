/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The columns of a {@code metrics.csv} read back, for summaries and plots. */
public final class TrainingLog {

  private final List<String> header;
  private final List<double[]> rows;

  private TrainingLog(List<String> header, List<double[]> rows) {
    this.header = header;
    this.rows = rows;
  }

  /** Reads the numeric columns; non-numeric ones (the codebook version) read as NaN. */
  public static TrainingLog read(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    if (lines.isEmpty()) {
      throw new IOException(csv + " is empty: no training step was logged");
    }
    List<String> header = Arrays.asList(lines.get(0).split(","));
    List<double[]> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",");
      double[] row = new double[header.size()];
      for (int i = 0; i < row.length; i++) {
        row[i] = i < cells.length ? parse(cells[i]) : Double.NaN;
      }
      rows.add(row);
    }
    return new TrainingLog(header, rows);
  }

  private static double parse(String cell) {
    try {
      return Double.parseDouble(cell);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  public int steps() {
    return rows.size();
  }

  /**
   * Whether the log has this column (e.g. {@code knn_top1}, written only by runs that monitor it).
   */
  public boolean has(String name) {
    return header.contains(name);
  }

  public double[] column(String name) {
    int index = header.indexOf(name);
    if (index < 0) {
      throw new IllegalArgumentException("no column " + name + " in " + header);
    }
    return rows.stream().mapToDouble(r -> r[index]).toArray();
  }

  /** Mean of the first (or last) {@code n} values of a column. */
  public static double meanOfFirst(double[] values, int n) {
    return Arrays.stream(values, 0, Math.min(n, values.length)).average().orElse(Double.NaN);
  }

  public static double meanOfLast(double[] values, int n) {
    return Arrays.stream(values, Math.max(0, values.length - n), values.length)
        .average()
        .orElse(Double.NaN);
  }
}
