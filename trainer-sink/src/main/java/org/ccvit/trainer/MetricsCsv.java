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
import java.util.Locale;

/** Appends one line per optimizer step to {@code metrics.csv}, flushed per line. */
public final class MetricsCsv implements AutoCloseable {

  public static final String HEADER =
      "step,loss,ce,mse,acc_masked,acc_replaced,lr,grad_norm,batch_size,samples_per_sec,"
          + "codebook_version";

  private final BufferedWriter writer;

  public MetricsCsv(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    this.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    writer.write(HEADER);
    writer.newLine();
    writer.flush();
  }

  public void append(StepMetrics m, double samplesPerSecond, String codebookVersion)
      throws IOException {
    writer.write(
        String.format(
            Locale.ROOT,
            "%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.8g,%.6f,%d,%.3f,%s",
            m.step(),
            m.loss(),
            m.ce(),
            m.mse(),
            m.accuracyMasked(),
            m.accuracyReplaced(),
            m.learningRate(),
            m.gradNorm(),
            m.batchSize(),
            samplesPerSecond,
            codebookVersion));
    writer.newLine();
    writer.flush();
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }
}
