/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** One line per optimizer step in {@code metrics.csv}, flushed per line. */
public final class MetricsCsv implements AutoCloseable {

  public static final String HEADER =
      "step,loss,ce,mse,acc_masked,acc_replaced,lr,grad_norm,batch_size,samples_per_sec,"
          + "codebook_version,stale_samples,knn_top1,busy_share";

  private final StepCsv csv;

  /** A new file. */
  public MetricsCsv(Path file) throws IOException {
    this(file, 0);
  }

  /** Continues after step {@code keepThroughStep}: rows of later steps are dropped. */
  public MetricsCsv(Path file, long keepThroughStep) throws IOException {
    this.csv = new StepCsv(file, HEADER, keepThroughStep);
  }

  /**
   * @param staleSamples samples dropped so far because their codebook version had been replaced
   * @param knnTop1 the online k-NN monitor's top-1 (percent) after this step, NaN when it did not
   *     run
   * @param busyShare the trainer's step time over the time since the step before
   */
  public void append(
      StepMetrics m,
      double samplesPerSecond,
      String codebookVersion,
      long staleSamples,
      double knnTop1,
      double busyShare)
      throws IOException {
    csv.append(
        String.format(
            Locale.ROOT,
            "%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.8g,%.6f,%d,%.3f,%s,%d,%.2f,%.4f",
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
            codebookVersion,
            staleSamples,
            knnTop1,
            busyShare));
  }

  @Override
  public void close() throws IOException {
    csv.close();
  }
}
