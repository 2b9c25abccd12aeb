/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.flink;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.trainer.MetricsCsv;
import org.ccvit.trainer.StepMetrics;
import org.ccvit.trainer.Trainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Batches samples and trains; the weights are written at the end of input and on close. */
final class TrainerWriter implements SinkWriter<TrainingSample> {

  private static final Logger LOG = LoggerFactory.getLogger(TrainerWriter.class);

  private final TrainerSinkOptions options;
  private final Trainer trainer;
  private final MetricsCsv csv;
  private final List<TrainingSample> batch = new ArrayList<>();
  private final Counter trainedSamples;
  private final Counter refusedSamples;
  private volatile StepMetrics last;
  private long lastStepEndNanos = System.nanoTime();
  private boolean unsavedSteps;

  TrainerWriter(TrainerSinkOptions options, MetricGroup metrics) throws IOException {
    this.options = options;
    Codebook codebook =
        Codebook.readNpy(
            Path.of(options.codebookPath()),
            options.model().patchSize(),
            options.model().inChans());
    this.trainer = new Trainer(options.model(), options.train(), codebook);
    this.csv = new MetricsCsv(Path.of(options.outputDir(), TrainerSinkOptions.METRICS_FILE));
    this.trainedSamples = metrics.counter("trainedSamples");
    this.refusedSamples = metrics.counter("refusedSamples");
    metrics.gauge("loss", () -> last == null ? Double.NaN : last.loss());
    metrics.gauge("ce", () -> last == null ? Double.NaN : last.ce());
    metrics.gauge("mse", () -> last == null ? Double.NaN : last.mse());
    metrics.gauge("accuracyMasked", () -> last == null ? Double.NaN : last.accuracyMasked());
    metrics.gauge("accuracyReplaced", () -> last == null ? Double.NaN : last.accuracyReplaced());
    metrics.gauge("learningRate", () -> last == null ? Double.NaN : last.learningRate());
    metrics.gauge("gradNorm", () -> last == null ? Double.NaN : last.gradNorm());
    metrics.gauge("step", trainer::stepCount);
  }

  @Override
  public void write(TrainingSample sample, Context context) throws IOException {
    String reason = trainer.rejectionReason(sample);
    if (reason != null) {
      // Never mix codebooks or shapes: the sample is counted and logged, not trained.
      refusedSamples.inc();
      LOG.warn("Refused sample {}: {}", sample.getKey(), reason);
      return;
    }
    batch.add(sample);
    if (batch.size() >= options.train().batchSize()) {
      trainOnBatch();
    }
  }

  @Override
  public void flush(boolean endOfInput) throws IOException {
    if (endOfInput) {
      if (!batch.isEmpty()) {
        trainOnBatch();
      }
      saveWeights();
    }
  }

  private void trainOnBatch() throws IOException {
    StepMetrics metrics = trainer.step(List.copyOf(batch));
    long now = System.nanoTime();
    double samplesPerSecond = batch.size() / ((now - lastStepEndNanos) / 1e9);
    lastStepEndNanos = now;
    trainedSamples.inc(batch.size());
    csv.append(metrics, samplesPerSecond, batch.get(0).getCodebookVersion());
    last = metrics;
    unsavedSteps = true;
    batch.clear();
    LOG.info(
        "step {} loss {} (ce {}, mse {}) acc(masked) {} {} samples/s",
        metrics.step(),
        String.format("%.4f", metrics.loss()),
        String.format("%.4f", metrics.ce()),
        String.format("%.4f", metrics.mse()),
        String.format("%.3f", metrics.accuracyMasked()),
        String.format("%.1f", samplesPerSecond));
  }

  private void saveWeights() {
    if (unsavedSteps) {
      trainer.saveWeights(Path.of(options.outputDir(), TrainerSinkOptions.WEIGHTS_FILE));
      unsavedSteps = false;
    }
  }

  @Override
  public void close() throws Exception {
    try {
      saveWeights();
    } finally {
      csv.close();
      trainer.close();
    }
  }
}
