/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.flink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.trainer.MetricsCsv;
import org.ccvit.trainer.StepMetrics;
import org.ccvit.trainer.TrainedKeysCsv;
import org.ccvit.trainer.Trainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches samples and trains. At a checkpoint it saves the trainer state to the checkpoint's
 * directory and returns the directory and the unfinished batch as its Flink state; at the end of a
 * bounded input it trains the last, partial batch and writes the weights.
 */
final class TrainerWriter
    implements StatefulSinkWriter<TrainingSample, TrainerWriterState>,
        CommittingSinkWriter<TrainingSample, Long> {

  private static final Logger LOG = LoggerFactory.getLogger(TrainerWriter.class);

  private final TrainerSinkOptions options;
  private final Trainer trainer;
  private final MetricsCsv metricsCsv;
  private final TrainedKeysCsv keysCsv;
  private final List<TrainingSample> batch = new ArrayList<>();
  private final Counter trainedSamples;
  private final Counter refusedSamples;
  private volatile StepMetrics last;
  private volatile double samplesPerSecond = Double.NaN;
  private final String codebookVersion;
  private long lastStepEndNanos = System.nanoTime();
  private boolean endOfInputFlushed;
  private boolean committedAfterEndOfInput;

  /**
   * @param restored the state of the checkpoint the job restores from, or null for a fresh start
   */
  TrainerWriter(TrainerSinkOptions options, MetricGroup metrics, TrainerWriterState restored)
      throws IOException {
    this.options = options;
    Codebook codebook =
        Codebook.readNpy(
            Path.of(options.codebookPath()),
            options.model().patchSize(),
            options.model().inChans());
    this.codebookVersion = codebook.version();
    this.trainedSamples = metrics.counter("trainedSamples");
    this.refusedSamples = metrics.counter("refusedSamples");
    this.trainer = new Trainer(options.model(), options.train(), codebook);
    try {
      if (restored != null) {
        restore(restored);
      } else if (options.initWeights() != null) {
        trainer.loadWeights(Path.of(options.initWeights()));
      }
      long continueAfter = trainer.stepCount();
      this.metricsCsv =
          new MetricsCsv(options.output(TrainerSinkOptions.METRICS_FILE), continueAfter);
      this.keysCsv =
          new TrainedKeysCsv(options.output(TrainerSinkOptions.TRAINED_KEYS_FILE), continueAfter);
    } catch (IOException | RuntimeException e) {
      trainer.close();
      throw e;
    }
    metrics.gauge("loss", () -> last == null ? Double.NaN : last.loss());
    metrics.gauge("ce", () -> last == null ? Double.NaN : last.ce());
    metrics.gauge("mse", () -> last == null ? Double.NaN : last.mse());
    metrics.gauge("accuracyMasked", () -> last == null ? Double.NaN : last.accuracyMasked());
    metrics.gauge("accuracyReplaced", () -> last == null ? Double.NaN : last.accuracyReplaced());
    metrics.gauge("learningRate", () -> last == null ? Double.NaN : last.learningRate());
    metrics.gauge("gradNorm", () -> last == null ? Double.NaN : last.gradNorm());
    metrics.gauge("samplesPerSecond", () -> samplesPerSecond);
    metrics.gauge("codebookVersion", () -> codebookVersion);
    metrics.gauge("step", trainer::stepCount);
  }

  private void restore(TrainerWriterState state) throws IOException {
    Path dir = Path.of(state.stateDir());
    if (!Files.isDirectory(dir)) {
      throw new IOException(
          "the checkpoint refers to trainer state in "
              + dir
              + ", which does not exist; the trainer-state directory must be kept with the"
              + " checkpoint or savepoint");
    }
    trainer.loadState(dir);
    if (trainer.stepCount() != state.step()) {
      throw new IOException(
          dir + " holds step " + trainer.stepCount() + ", the checkpoint expects " + state.step());
    }
    // The job may have been restored from a savepoint: its state outlives later checkpoints.
    Files.writeString(dir.resolve(TrainerCommitter.RETAINED), "restored from");
    for (TrainingSample s : state.pending()) {
      accept(s);
    }
    LOG.info(
        "restored trainer state of step {} from {} with {} pending samples",
        state.step(),
        dir,
        batch.size());
  }

  @Override
  public void write(TrainingSample sample, Context context) throws IOException {
    accept(sample);
    if (batch.size() >= options.train().batchSize()) {
      trainOnBatch();
    }
  }

  private void accept(TrainingSample sample) {
    String reason = trainer.rejectionReason(sample);
    if (reason != null) {
      // Never mix codebooks or shapes: the sample is counted and logged, not trained.
      refusedSamples.inc();
      LOG.warn("Refused sample {}: {}", sample.getKey(), reason);
      return;
    }
    batch.add(sample);
  }

  @Override
  public void flush(boolean endOfInput) throws IOException {
    if (endOfInput && !endOfInputFlushed) {
      if (!batch.isEmpty()) {
        trainOnBatch();
      }
      trainer.saveWeights(options.output(TrainerSinkOptions.WEIGHTS_FILE));
      endOfInputFlushed = true;
    }
  }

  /**
   * Called before every checkpoint's snapshot, and once more right after the end of input (which
   * belongs to no new checkpoint, so it offers nothing).
   */
  @Override
  public Collection<Long> prepareCommit() {
    if (endOfInputFlushed && !committedAfterEndOfInput) {
      committedAfterEndOfInput = true;
      return List.of();
    }
    return List.of(trainer.stepCount());
  }

  @Override
  public List<TrainerWriterState> snapshotState(long checkpointId) throws IOException {
    Path dir = options.checkpointDir(checkpointId);
    trainer.saveState(dir);
    return List.of(new TrainerWriterState(trainer.stepCount(), dir.toString(), List.copyOf(batch)));
  }

  private void trainOnBatch() throws IOException {
    List<TrainingSample> samples = List.copyOf(batch);
    StepMetrics metrics = trainer.step(samples);
    long now = System.nanoTime();
    samplesPerSecond = samples.size() / ((now - lastStepEndNanos) / 1e9);
    lastStepEndNanos = now;
    trainedSamples.inc(samples.size());
    // Every accepted sample has the trainer's codebook version.
    metricsCsv.append(metrics, samplesPerSecond, codebookVersion);
    keysCsv.append(metrics.step(), samples);
    last = metrics;
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

  /** Samples refused so far (codebook version or shape), never trained. */
  long refusedCount() {
    return refusedSamples.getCount();
  }

  @Override
  public void close() throws Exception {
    // No weights here: they are written at checkpoints and at the end of input only, never from
    // a state that a restore would roll back.
    try {
      metricsCsv.close();
      keysCsv.close();
    } finally {
      trainer.close();
    }
  }
}
