/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.trainer.model.CcvitConfig;

/**
 * Trains on a stream of samples and codebooks, one version at a time, batch by batch.
 *
 * <p>The rule for a new codebook version: a sample of the version in use joins the batch. The first
 * sample of a newer version (one whose codebook arrived after the one in use) ends the version in
 * use at this batch boundary: its unfinished batch is trained as it is (a short batch), and the
 * trainer continues with the newer codebook. Samples of a version left behind that still arrive (in
 * flight from a tokenizer that had not switched yet) are stale: dropped and counted, never trained.
 * A sample whose codebook has not arrived yet waits for it.
 *
 * <p>Samples of the version in use pass through a seeded {@link ShuffleBuffer} on their way into
 * batches. It holds only that version: at a switch it is drained (in its seeded order) into the old
 * version's last batches, so no sample turns stale by waiting in it. At the end of input it drains
 * too; {@link #releaseIfIdle()} bounds how long it holds samples back from a slow source.
 *
 * <p>With accumulation a step's batch is {@code batchSize x accumulate} samples, trained as
 * micro-batches when it is full; until then its samples wait as samples (in the snapshot, too), so
 * a checkpoint always falls between two optimizer steps and never holds partial gradients.
 *
 * <p>Steps run on the caller's thread, so {@link Events} see each step as soon as it is taken and
 * snapshots never meet a step in flight; {@link #lastBusyShare()} says how much of the time the
 * steps kept it busy.
 */
public final class StreamTrainer implements AutoCloseable {

  /** Why a sample was not trained on. */
  public enum Drop {
    /** Its codebook version was left behind for a newer one. */
    STALE,
    /** It does not fit the model, or its codebook never arrived. */
    REFUSED
  }

  /** What the trainer reports as it goes. */
  public interface Events {
    void trained(StepMetrics metrics, List<TrainingSample> batch, String codebookVersion)
        throws IOException;

    void dropped(TrainingSample sample, Drop why, String reason);
  }

  private final Trainer trainer;
  private final int microBatchSize;
  private final int stepBatchSize;
  private final Events events;
  private CodebookVersions versions = new CodebookVersions();
  private final List<TrainingSample> batch = new ArrayList<>();
  private final List<TrainingSample> waiting = new ArrayList<>();
  private final ShuffleBuffer<TrainingSample> shuffle;
  private long drawsAtLastIdleCheck;
  private long staleSamples;
  private long refusedSamples;
  private long lastStepEndNanos = System.nanoTime();
  private double lastBusyShare = Double.NaN;

  /** Trains samples in arrival order (no shuffle buffer). */
  public StreamTrainer(CcvitConfig model, TrainConfig train, Events events) {
    this(model, train, ShuffleConfig.OFF, events);
  }

  public StreamTrainer(CcvitConfig model, TrainConfig train, ShuffleConfig shuffle, Events events) {
    this.trainer = new Trainer(model, train);
    this.microBatchSize = train.batchSize();
    this.stepBatchSize = train.stepBatchSize();
    this.events = events;
    this.shuffle = new ShuffleBuffer<>(shuffle.bufferSize(), train.seed());
  }

  /** Learns a codebook version and releases the samples that waited for it. */
  public void codebook(Codebook codebook) throws IOException {
    // Refuse a codebook that cannot serve the model before any sample depends on it.
    trainer.requireFits(codebook);
    if (!versions.add(codebook)) {
      return;
    }
    List<TrainingSample> released = new ArrayList<>();
    for (Iterator<TrainingSample> it = waiting.iterator(); it.hasNext(); ) {
      TrainingSample s = it.next();
      if (s.getCodebookVersion().equals(codebook.version())) {
        released.add(s);
        it.remove();
      }
    }
    for (TrainingSample s : released) {
      sample(s);
    }
  }

  /** Routes one sample by its codebook version; trains when a batch is full. */
  public void sample(TrainingSample sample) throws IOException {
    String version = sample.getCodebookVersion();
    switch (versions.route(version)) {
      case CURRENT -> accept(sample);
      case NEWER -> {
        endVersion();
        trainer.useCodebook(versions.switchTo(version));
        accept(sample);
      }
      case RETIRED -> {
        staleSamples++;
        events.dropped(
            sample,
            Drop.STALE,
            "codebook version " + version + " was replaced by " + versions.current().version());
      }
      case UNKNOWN -> waiting.add(sample);
    }
  }

  /** A sample of the version in use: refused, or into the shuffle buffer. */
  private void accept(TrainingSample sample) throws IOException {
    String reason = trainer.rejectionReason(sample);
    if (reason != null) {
      refuse(sample, reason);
      return;
    }
    TrainingSample released = shuffle.offer(sample);
    if (released != null) {
      add(released);
    }
  }

  /** Trains everything of the version in use: the shuffle buffer's samples, the short batch. */
  private void endVersion() throws IOException {
    for (TrainingSample s : shuffle.drain()) {
      add(s);
    }
    if (!batch.isEmpty()) {
      trainBatch();
    }
  }

  private void add(TrainingSample sample) throws IOException {
    batch.add(sample);
    if (batch.size() >= stepBatchSize) {
      trainBatch();
    }
  }

  private void refuse(TrainingSample sample, String reason) {
    refusedSamples++;
    events.dropped(sample, Drop.REFUSED, reason);
  }

  /**
   * End of input: drains the shuffle buffer and trains the unfinished batch; samples still waiting
   * for a codebook that never came are refused.
   */
  public void finish() throws IOException {
    endVersion();
    for (TrainingSample s : waiting) {
      refuse(s, "its codebook version " + s.getCodebookVersion() + " never arrived");
    }
    waiting.clear();
  }

  private void trainBatch() throws IOException {
    List<TrainingSample> samples = List.copyOf(batch);
    batch.clear();
    long waitedSince = lastStepEndNanos;
    PreparedStep prepared = trainer.prepare(samples, microBatchSize);
    StepMetrics metrics = trainer.step(prepared);
    long end = System.nanoTime();
    long stepNanos = trainer.lastTimings().totalNanos() - prepared.buildNanos();
    lastBusyShare = Math.min(1, (double) stepNanos / (end - waitedSince));
    lastStepEndNanos = end;
    events.trained(metrics, samples, trainer.codebook().version());
  }

  /**
   * The bound on waiting for a slow source, called every {@link ShuffleConfig#maxWaitMs()}: when
   * nothing has left the shuffle buffer since the last call, it releases what the unfinished batch
   * lacks (or all it holds), which trains a batch if that fills it.
   *
   * @return the samples released
   */
  public int releaseIfIdle() throws IOException {
    int released = 0;
    if (shuffle.draws() == drawsAtLastIdleCheck) {
      int lacking = Math.min(shuffle.size(), stepBatchSize - batch.size());
      for (; released < lacking; released++) {
        add(shuffle.draw());
      }
    }
    drawsAtLastIdleCheck = shuffle.draws();
    return released;
  }

  /** Samples held by the shuffle buffer. */
  public int buffered() {
    return shuffle.size();
  }

  /**
   * The trainer's busy share over the last step: its step time (forward, backward, clipping,
   * optimizer) over the time since the step before ended. Near 1 when the input keeps it fed;
   * below, the share of time it waited for samples. NaN before the first step.
   */
  public double lastBusyShare() {
    return lastBusyShare;
  }

  /** Steps taken so far. */
  public long step() {
    return trainer.stepCount();
  }

  /** The codebook version in use, or null before the first sample. */
  public String codebookVersion() {
    Codebook current = versions.current();
    return current == null ? null : current.version();
  }

  /** Samples dropped because their version had been left behind, over the whole lineage. */
  public long staleSamples() {
    return staleSamples;
  }

  /** Samples refused (misfit, or no codebook), over the whole lineage. */
  public long refusedSamples() {
    return refusedSamples;
  }

  /** The pure trainer, for its weights. */
  public Trainer trainer() {
    return trainer;
  }

  /** Writes everything training continues from: see {@link TrainerSnapshot}. */
  public void writeSnapshot(OutputStream out) throws IOException {
    TrainerSnapshot.write(
        new TrainerSnapshot.Contents(
            trainer,
            versions,
            batch,
            waiting,
            shuffle.contents(),
            shuffle.draws(),
            staleSamples,
            refusedSamples),
        out);
  }

  /** Continues from a {@link #writeSnapshot} (the step, codebooks and samples it held). */
  public void readSnapshot(InputStream in, String source) throws IOException {
    TrainerSnapshot.Restored restored = TrainerSnapshot.read(in, trainer, source);
    versions = restored.versions();
    Codebook current = versions.current();
    if (current != null) {
      trainer.useCodebook(current);
    }
    batch.clear();
    batch.addAll(restored.batch());
    waiting.clear();
    waiting.addAll(restored.waiting());
    shuffle.restore(restored.shuffled(), restored.shuffleDraws());
    drawsAtLastIdleCheck = shuffle.draws();
    staleSamples = restored.staleSamples();
    refusedSamples = restored.refusedSamples();
  }

  /** Samples of the unfinished batch. */
  public int pending() {
    return batch.size();
  }

  @Override
  public void close() {
    trainer.close();
  }
}
