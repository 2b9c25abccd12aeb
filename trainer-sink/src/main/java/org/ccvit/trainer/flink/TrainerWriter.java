/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.flink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.ccvit.schemas.TrainerInput;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.trainer.MetricsCsv;
import org.ccvit.trainer.StepMetrics;
import org.ccvit.trainer.StreamTrainer;
import org.ccvit.trainer.TrainedKeysCsv;
import org.ccvit.trainer.eval.KnnMonitor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the {@link StreamTrainer} and logs what it does. At a checkpoint its whole state goes into
 * Flink's state ({@link TrainerStatePart}) and the weights wait in a pending file for the
 * checkpoint to complete; at the end of a bounded input it trains the last, partial batch and
 * publishes the final weights.
 */
final class TrainerWriter
    implements StatefulSinkWriter<TrainerInput, TrainerStatePart>,
        CommittingSinkWriter<TrainerInput, Long>,
        StreamTrainer.Events {

  private static final Logger LOG = LoggerFactory.getLogger(TrainerWriter.class);

  private final TrainerSinkOptions options;
  private final StreamTrainer trainer;
  private final PublishedWeights published;
  private final MetricsCsv metricsCsv;
  private final KnnMonitor monitor;
  private volatile double knnTop1 = Double.NaN;
  private final TrainedKeysCsv keysCsv;
  private final Counter trainedSamples;
  private final Counter refusedSamples;
  private final Counter staleSamples;
  private final Counter idleReleases;
  private volatile StepMetrics last;
  private volatile double samplesPerSecond = Double.NaN;
  private volatile double busyShare = Double.NaN;
  private volatile String codebookVersion;
  private long lastStepEndNanos = System.nanoTime();
  private long offeredStep;
  private boolean offered;
  private boolean endOfInputFlushed;

  /**
   * @param restored the trainer's state in the checkpoint the job restores from; empty for a fresh
   *     start
   */
  TrainerWriter(
      TrainerSinkOptions options, MetricGroup metrics, Collection<TrainerStatePart> restored)
      throws IOException {
    this.options = options;
    this.published = new PublishedWeights(options);
    this.trainedSamples = metrics.counter("trainedSamples");
    this.refusedSamples = metrics.counter("refusedSamples");
    this.staleSamples = metrics.counter("staleSamples");
    this.trainer = new StreamTrainer(options.model(), options.train(), options.shuffle(), this);
    this.monitor =
        options.monitor() == null ? null : new KnnMonitor(options.monitor(), options.model());
    try {
      if (!restored.isEmpty()) {
        try (InputStream in = TrainerStatePart.join(restored)) {
          trainer.readSnapshot(in, "the trainer state of the restored checkpoint");
        }
        LOG.info(
            "restored the trainer at step {} with codebook {}, {} pending samples and {} in the"
                + " shuffle buffer",
            trainer.step(),
            trainer.codebookVersion(),
            trainer.pending(),
            trainer.buffered());
      } else if (options.initWeights() != null) {
        trainer.trainer().loadWeights(Path.of(options.initWeights()));
      }
      codebookVersion = trainer.codebookVersion();
      long continueAfter = trainer.step();
      this.metricsCsv =
          new MetricsCsv(options.output(TrainerSinkOptions.METRICS_FILE), continueAfter);
      this.keysCsv =
          new TrainedKeysCsv(options.output(TrainerSinkOptions.TRAINED_KEYS_FILE), continueAfter);
      // Like the logs, the published weights start at this step: those of a lineage the restore
      // abandoned, or of an earlier run, must not count as newer.
      published.clearPending();
      Path start = options.pendingDir().resolve("start.safetensors");
      PublishedWeights.write(trainer.trainer(), start);
      published.replace(start, continueAfter);
      offeredStep = continueAfter;
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
    metrics.gauge("busyShare", () -> busyShare);
    metrics.gauge("codebookVersion", () -> codebookVersion);
    metrics.gauge("step", () -> last == null ? offeredStep : last.step());
    metrics.gauge("knnTop1", () -> knnTop1);
    metrics.gauge("shuffleBuffered", trainer::buffered);
    this.idleReleases = metrics.counter("shuffleIdleReleases");
  }

  /**
   * Checks every {@link org.ccvit.trainer.ShuffleConfig#maxWaitMs()} whether the shuffle buffer
   * released nothing since the last check, and then releases a batch's worth (see {@link
   * StreamTrainer#releaseIfIdle()}). The timers run in the task's mailbox thread, between records.
   */
  void boundShuffleWait(ProcessingTimeService time) {
    long every = options.shuffle().maxWaitMs();
    if (every > 0 && options.shuffle().bufferSize() > 0) {
      time.registerTimer(time.getCurrentProcessingTime() + every, now -> idleCheck(time, now));
    }
  }

  private void idleCheck(ProcessingTimeService time, long now) throws IOException {
    int released = trainer.releaseIfIdle();
    if (released > 0) {
      idleReleases.inc(released);
      LOG.info(
          "the shuffle buffer released nothing for {} ms: {} samples released early, {} still held",
          options.shuffle().maxWaitMs(),
          released,
          trainer.buffered());
    }
    time.registerTimer(now + options.shuffle().maxWaitMs(), next -> idleCheck(time, next));
  }

  @Override
  public void write(TrainerInput input, Context context) throws IOException {
    if (input.getCodebook() != null) {
      Codebook codebook = Codebook.fromRecord(input.getCodebook());
      LOG.info("codebook {} arrived", codebook.version());
      trainer.codebook(codebook);
    } else {
      trainer.sample(input.getSample());
    }
  }

  @Override
  public void trained(StepMetrics metrics, List<TrainingSample> batch, String version)
      throws IOException {
    long now = System.nanoTime();
    samplesPerSecond = batch.size() / ((now - lastStepEndNanos) / 1e9);
    lastStepEndNanos = now;
    trainedSamples.inc(batch.size());
    if (!version.equals(codebookVersion)) {
      LOG.info("step {} is the first with codebook {}", metrics.step(), version);
      codebookVersion = version;
    }
    double knn = Double.NaN;
    if (monitor != null && monitor.due(metrics.step())) {
      // On the trainer's thread between two steps: the weights do not move while it reads them.
      long start = System.nanoTime();
      knn = 100 * monitor.evaluate(trainer.trainer().parameters());
      knnTop1 = knn;
      LOG.info(
          "step {}: k-NN monitor top-1 {}% ({} s)",
          metrics.step(),
          String.format(java.util.Locale.ROOT, "%.2f", knn),
          String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
    }
    busyShare = trainer.lastBusyShare();
    metricsCsv.append(metrics, samplesPerSecond, version, trainer.staleSamples(), knn, busyShare);
    keysCsv.append(metrics.step(), batch);
    last = metrics;
    LOG.info(
        "step {} loss {} (ce {}, mse {}) acc(masked) {} {} samples/s, busy {}",
        metrics.step(),
        String.format("%.4f", metrics.loss()),
        String.format("%.4f", metrics.ce()),
        String.format("%.4f", metrics.mse()),
        String.format("%.3f", metrics.accuracyMasked()),
        String.format("%.1f", samplesPerSecond),
        String.format("%.2f", busyShare));
  }

  @Override
  public void dropped(TrainingSample sample, StreamTrainer.Drop why, String reason) {
    // Counted and logged, never trained: a stale version, or a sample that does not fit.
    (why == StreamTrainer.Drop.STALE ? staleSamples : refusedSamples).inc();
    LOG.warn("{} sample {} (epoch {}): {}", why, sample.getKey(), sample.getEpoch(), reason);
  }

  @Override
  public void flush(boolean endOfInput) throws IOException {
    if (endOfInput && !endOfInputFlushed) {
      trainer.finish();
      Path last = options.pendingDir().resolve("end-of-input.safetensors");
      PublishedWeights.write(trainer.trainer(), last);
      published.publishIfNewer(last, trainer.step());
      endOfInputFlushed = true;
    }
  }

  /**
   * Called before every checkpoint's snapshot, and once right after the end of input (whose weights
   * are published already). Offers the step when it changed since the last offer.
   */
  @Override
  public Collection<Long> prepareCommit() throws IOException {
    offered = !endOfInputFlushed && trainer.step() != offeredStep;
    if (!offered) {
      return List.of();
    }
    offeredStep = trainer.step();
    return List.of(offeredStep);
  }

  @Override
  public List<TrainerStatePart> snapshotState(long checkpointId) throws IOException {
    if (offered) {
      PublishedWeights.write(trainer.trainer(), options.pendingWeights(checkpointId));
      offered = false;
    }
    return TrainerStatePart.split(trainer::writeSnapshot);
  }

  /** Samples refused so far (shape, or no codebook), never trained. */
  long refusedCount() {
    return refusedSamples.getCount();
  }

  /** Samples of a replaced codebook version dropped so far, never trained. */
  long staleCount() {
    return staleSamples.getCount();
  }

  @Override
  public void close() throws Exception {
    // No weights here: they are published at completed checkpoints and at the end of input only,
    // never from a state that a restore would roll back.
    try {
      metricsCsv.close();
      keysCsv.close();
    } finally {
      trainer.close();
    }
  }
}
