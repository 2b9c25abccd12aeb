/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.ccvit.infra.EmbeddedKafka;
import org.ccvit.jobs.io.Inputs;
import org.ccvit.jobs.kafka.ImageRecordDeserializer;
import org.ccvit.jobs.kafka.KafkaSettings;
import org.ccvit.jobs.pretrain.PretrainJob;
import org.ccvit.jobs.report.TrainingLog;
import org.ccvit.schemas.AvroCodec;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.schemas.RejectRecord;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.TokenizerConfig;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.trainer.StepMetrics;
import org.ccvit.trainer.TrainConfig;
import org.ccvit.trainer.Trainer;
import org.ccvit.trainer.flink.TrainerFeed;
import org.ccvit.trainer.flink.TrainerSink;
import org.ccvit.trainer.flink.TrainerSinkOptions;
import org.ccvit.trainer.model.CcvitConfig;
import org.ccvit.trainer.optim.CosineSchedule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once training on a MiniCluster with an in-process Kafka broker: a failure injected after
 * a completed checkpoint, and a stop with a savepoint resumed with another learning rate. In the
 * deterministic mode used here (one partition, parallelism 1, the codebook present before the
 * images flow) batches form identically in every run, so losses and weights can be compared.
 */
class FaultTolerancePipelineTest {

  private static final int IMAGE_SIZE = 64;
  private static final int PATCH_SIZE = 8;
  private static final int K = 64;
  private static final int IMAGES = 20;
  private static final int PASSES = 2;
  private static final int TOTAL = IMAGES * PASSES;
  private static final int BATCH = 8;
  private static final long TIMEOUT_MS = 120_000;
  private static final CcvitConfig MODEL = CcvitConfig.tiny(IMAGE_SIZE, PATCH_SIZE, K);

  /** Relative L2 difference allowed between final weights of runs that trained the same batches. */
  private static final double WEIGHTS_TOLERANCE = 1e-4;

  @TempDir static Path tmp;
  private static EmbeddedKafka kafka;
  private static KafkaSettings settings;
  private static List<ImageRecord> records;
  private static Path codebookFile;
  private static Codebook codebook;

  @BeforeAll
  static void imagesCodebookAndBroker() throws Exception {
    List<ImageRecord> images = RealImages.imagenetteValidation(IMAGES);
    records = new ArrayList<>();
    for (int pass = 0; pass < PASSES; pass++) {
      records.addAll(images);
    }
    // Any codebook of the right shape serves: the test is about state, not about what is learned.
    codebookFile = RandomCodebook.write(tmp.resolve("centroids.npy"), K, PATCH_SIZE, 3);
    codebook = Codebook.readNpy(codebookFile, PATCH_SIZE, 3);
    kafka = EmbeddedKafka.start();
    settings = new KafkaSettings(kafka.bootstrapServers());
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void failureAfterACheckpointTrainsEveryImageExactlyOnceAndEndsWithTheSameWeights()
      throws Exception {
    TrainConfig train = new TrainConfig(BATCH, 5e-3, 1e-5, 2, 20, 0.05, 0.9, 0.98, 1e-8, 3.0, 7);
    Path clean = tmp.resolve("clean");
    Probe.reset(-1);
    Probe.recording.set(true);
    JobClient uninterrupted = start("clean", clean, train, null);
    publish("clean", 0, TOTAL);
    uninterrupted.getJobExecutionResult().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    Probe.recording.set(false);
    List<TrainingSample> trainedInOrder = List.copyOf(Probe.recorded);

    Path failing = tmp.resolve("failing");
    Probe.reset(-1);
    JobClient job = start("failing", failing, train, null);
    publish("failing", 0, 13);
    // A checkpoint completes with step 1 trained and 5 samples pending; the failure comes at the
    // 21st sample, after step 2 (which the restore must forget and train again).
    waitFor(() -> Probe.completedAt.get() == 13, "a checkpoint after 13 samples");
    Probe.failAt.set(21);
    publish("failing", 13, TOTAL);
    job.getJobExecutionResult().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    assertTrue(Probe.failed.get(), "the failure was injected");
    assertTrue(Probe.seen.get() > TOTAL, "samples after the checkpoint were replayed");

    assertExactlyOnce(failing);
    List<String> batches = trainedKeys(clean);
    assertEquals(batches, trainedKeys(failing), "same batches in the same order");
    assertEquals(
        batches,
        trainedInOrder.stream().map(s -> s.getEpoch() + "," + s.getKey()).toList(),
        "the trainer got the samples in the order the probe saw them");
    for (Path out : List.of(clean, failing)) {
      assertEquals(
          Integer.toString(TOTAL / BATCH),
          Files.readString(out.resolve(TrainerSinkOptions.WEIGHTS_STEP_FILE)),
          "the published weights are those of the last step");
    }

    // What one step moves the weights: the same training replayed in this process, weights after
    // the last step against those one step before (what a lost or repeated step would leave).
    Path beforeLast = tmp.resolve("replay-before-last.safetensors");
    Path last = tmp.resolve("replay-last.safetensors");
    List<double[]> replayLosses = new ArrayList<>();
    try (Trainer replay = new Trainer(MODEL, train, codebook)) {
      for (int step = 0; step < TOTAL / BATCH; step++) {
        if (step == TOTAL / BATCH - 1) {
          replay.saveWeights(beforeLast);
        }
        StepMetrics m = replay.step(trainedInOrder.subList(step * BATCH, (step + 1) * BATCH));
        replayLosses.add(new double[] {m.step(), m.loss(), m.ce(), m.mse(), m.learningRate()});
      }
      replay.saveWeights(last);
    }
    Path cleanWeights = clean.resolve(TrainerSinkOptions.WEIGHTS_FILE);
    double oneStep = relativeDifference(last, beforeLast);
    Path failingWeights = failing.resolve(TrainerSinkOptions.WEIGHTS_FILE);
    double recovered = relativeDifference(cleanWeights, failingWeights);
    double inProcess = relativeDifference(cleanWeights, last);
    double recoveredVsReplay = relativeDifference(last, failingWeights);
    System.out.printf(
        Locale.ROOT,
        "final weights, relative L2 difference: one step moves them %.3e; recovered run vs"
            + " uninterrupted %.3e; in-process replay vs uninterrupted %.3e; recovered vs replay"
            + " %.3e; tolerance %.0e%n",
        oneStep,
        recovered,
        inProcess,
        recoveredVsReplay,
        WEIGHTS_TOLERANCE);
    assertTrue(
        oneStep >= 10 * WEIGHTS_TOLERANCE,
        "the tolerance must be ten times below one step's move, " + oneStep);
    // PyTorch's CPU kernels are not always bit-reproducible from run to run in one JVM: CI once
    // found the uninterrupted run 1.3e-2 away from both the recovered run and the in-process
    // replay,
    // which agreed exactly (Adam turns any rounding in a near-zero gradient into a full step of
    // that
    // element). A lost or repeated step moves the weights by a whole step from every faithful run,
    // so the recovered run must equal the uninterrupted run or the replay of the same batches.
    assertTrue(
        Math.min(recovered, recoveredVsReplay) <= WEIGHTS_TOLERANCE,
        "recovered run's weights differ: "
            + recovered
            + " from the uninterrupted run, "
            + recoveredVsReplay
            + " from the in-process replay");
    assertClose(
        recovered <= WEIGHTS_TOLERANCE ? lossColumns(clean) : replayLosses, lossColumns(failing));
  }

  @Test
  void stopWithSavepointAndResumeWithAnotherLearningRateContinuesAtTheSameStep() throws Exception {
    TrainConfig before = new TrainConfig(BATCH, 5e-3, 1e-5, 2, 20, 0.05, 0.9, 0.98, 1e-8, 3.0, 7);
    TrainConfig after = new TrainConfig(BATCH, 1e-3, 1e-5, 2, 20, 0.05, 0.9, 0.98, 1e-8, 3.0, 7);
    Path out = tmp.resolve("savepoint-run");
    Probe.reset(-1);
    JobClient first = start("savepoint", out, before, null);
    publish("savepoint", 0, 2 * BATCH + 3);
    waitFor(() -> stepsIn(out) == 2, "two steps");
    String savepoint =
        first
            .stopWithSavepoint(
                false, tmp.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
            .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);

    JobClient resumed = start("savepoint", out, after, savepoint);
    publish("savepoint", 2 * BATCH + 3, TOTAL);
    // A Kafka source restored from a savepoint taken without draining does not end at its
    // stopping offsets here, so the test ends the job once every sample is trained.
    waitFor(() -> stepsIn(out) == TOTAL / BATCH, "all steps");
    resumed.cancel().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);

    assertExactlyOnce(out);
    TrainingLog log = TrainingLog.read(out.resolve(TrainerSinkOptions.METRICS_FILE));
    double[] lr = log.column("lr");
    CosineSchedule old = new CosineSchedule(5e-3, 1e-5, 2, 20);
    CosineSchedule changed = new CosineSchedule(1e-3, 1e-5, 2, 20);
    for (int step = 1; step <= lr.length; step++) {
      double expected = (step <= 2 ? old : changed).valueAt(step - 1);
      // metrics.csv keeps 8 significant digits.
      assertEquals(expected, lr[step - 1], 1e-7 * expected, "lr of step " + step);
    }
  }

  @Test
  void aSavepointTakenWhileTheJobRunsCanBeRestoredAfterLaterCheckpoints() throws Exception {
    TrainConfig train = new TrainConfig(BATCH, 5e-3, 1e-5, 2, 20, 0.05, 0.9, 0.98, 1e-8, 3.0, 7);
    Path out = tmp.resolve("running-savepoint");
    Probe.reset(-1);
    JobClient first = start("running-savepoint", out, train, null);
    publish("running-savepoint", 0, 2 * BATCH + 3);
    waitFor(() -> stepsIn(out) == 2 && Probe.seen.get() == 2 * BATCH + 3, "two steps");
    // Nothing arrives while the savepoint is taken: it holds step 2 and 3 pending samples.
    String savepoint =
        first
            .triggerSavepoint(
                tmp.resolve("running-savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
            .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    int completedAtSavepoint = Probe.completions.get();
    publish("running-savepoint", 2 * BATCH + 3, 4 * BATCH);
    waitFor(
        () -> stepsIn(out) == 4 && Probe.completions.get() >= completedAtSavepoint + 2,
        "two more steps and two more completed checkpoints");
    first.cancel().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    waitForTermination(first);

    JobClient resumed = start("running-savepoint", out, train, savepoint);
    publish("running-savepoint", 4 * BATCH, TOTAL);
    waitFor(
        () -> {
          if (resumed.getJobExecutionResult().isDone()) {
            throw new AssertionError(
                "the job restored from the savepoint ended early: "
                    + resumed.getJobExecutionResult().handle((r, e) -> e).join());
          }
          return stepsIn(out) == TOTAL / BATCH;
        },
        "all steps after the restore");
    resumed.cancel().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    waitForTermination(resumed);
    assertExactlyOnce(out);
    // The trainer's state lives in Flink's checkpoints and savepoints; beside them only weights of
    // checkpoints still in progress at the cancel may wait, all earlier ones are collected.
    List<Path> pending;
    try (var files = Files.list(out.resolve(TrainerSinkOptions.PENDING_DIR))) {
      pending = files.toList();
    }
    System.out.println("pending weights after the cancel: " + pending);
    assertTrue(pending.size() <= 2, "left behind: " + pending);
  }

  /** Starts the pre-training job over the topic (stopping after all its records) on MiniCluster. */
  private static JobClient start(String topic, Path out, TrainConfig train, String restoreFrom)
      throws Exception {
    if (restoreFrom == null) {
      kafka.createTopics(1, topic);
    }
    Map<String, String> overrides = new HashMap<>();
    overrides.put("restart-strategy.type", "fixed-delay");
    overrides.put("restart-strategy.fixed-delay.attempts", "2");
    overrides.put("restart-strategy.fixed-delay.delay", "200 ms");
    if (restoreFrom != null) {
      overrides.put("execution.state-recovery.path", restoreFrom);
    }
    StreamExecutionEnvironment env =
        FlinkEnvironments.create(1, out.resolve("checkpoints").toString(), 200, overrides);
    PretrainJob.Streams streams =
        new PretrainJob(
                TokenizerConfig.forSize(IMAGE_SIZE, PATCH_SIZE, 11),
                TopicPrefix.upTo(settings, topic, TOTAL, new ImageRecordDeserializer(), "images"),
                Inputs.codebookFile(codebookFile, PATCH_SIZE, 3, Map.of()))
            .build(env);
    TrainerSink trainer =
        new TrainerSink(new TrainerSinkOptions(MODEL, train, out.toAbsolutePath().toString()));
    DataStream<TrainingSample> probed =
        streams
            .samples()
            .map(new Probe())
            .returns(new AvroTypeInfo<>(TrainingSample.class))
            .uid("probe")
            // Chained, the failure would surface inside the tokenizer's collect(), which turns
            // exceptions into rejects: a task of its own makes it a real task failure.
            .startNewChain();
    TrainerFeed.of(probed, streams.codebooks()).sinkTo(trainer).uid("trainer").setParallelism(1);
    streams.rejects().sinkTo(new CollectingSink<RejectRecord>("rejects-" + topic)).uid("rejects");
    return env.executeAsync("fault tolerance test: " + topic);
  }

  /**
   * Publishes records [from, to) of the image list. The very first record goes alone, and the rest
   * only once it has been tokenized: then the codebook is in place and no image waits for it, so
   * the order of samples is the order of the partition.
   */
  private static void publish(String topic, int from, int to) throws Exception {
    AvroCodec<ImageRecord> codec = new AvroCodec<>(ImageRecord.class);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(settings.producerProperties())) {
      for (int i = from; i < to; i++) {
        ImageRecord r = records.get(i);
        producer
            .send(
                new ProducerRecord<>(
                    topic, r.getKey().getBytes(StandardCharsets.UTF_8), codec.encode(r)))
            .get();
        if (i == 0) {
          waitFor(() -> Probe.seen.get() >= 1, "the first sample");
        }
      }
    }
  }

  private static void assertExactlyOnce(Path out) throws IOException {
    List<String> rows = trainedKeys(out);
    Set<String> trained = new HashSet<>(rows);
    assertEquals(rows.size(), trained.size(), "a sample was trained twice: " + rows);
    Set<String> produced = new HashSet<>();
    for (int pass = 0; pass < PASSES; pass++) {
      for (int i = 0; i < IMAGES; i++) {
        produced.add(pass + "," + records.get(i).getKey());
      }
    }
    assertEquals(produced, trained);
    TrainingLog log = TrainingLog.read(out.resolve(TrainerSinkOptions.METRICS_FILE));
    double[] steps = log.column("step");
    assertEquals(TOTAL / BATCH, steps.length);
    for (int i = 0; i < steps.length; i++) {
      assertEquals(i + 1, steps[i], "steps of the surviving lineage, each once");
    }
  }

  /** (epoch, key) of each trained sample in training order. */
  private static List<String> trainedKeys(Path out) throws IOException {
    return Files.readAllLines(out.resolve(TrainerSinkOptions.TRAINED_KEYS_FILE)).stream()
        .skip(1)
        .map(l -> l.substring(l.indexOf(',') + 1))
        .toList();
  }

  /** Step, loss, ce, mse and learning rate of every logged step. */
  private static List<double[]> lossColumns(Path out) throws IOException {
    List<String> lines = Files.readAllLines(out.resolve(TrainerSinkOptions.METRICS_FILE));
    return lines.subList(1, lines.size()).stream()
        .map(l -> l.split(","))
        .map(c -> new double[] {parse(c[0]), parse(c[1]), parse(c[2]), parse(c[3]), parse(c[6])})
        .toList();
  }

  private static double parse(String cell) {
    return Double.parseDouble(cell);
  }

  private static void assertClose(List<double[]> expected, List<double[]> actual) {
    assertEquals(expected.size(), actual.size(), "same number of steps");
    for (int i = 0; i < expected.size(); i++) {
      double[] e = expected.get(i);
      double[] a = actual.get(i);
      assertEquals(e[0], a[0], "step");
      for (int c = 1; c < e.length; c++) {
        // metrics.csv prints losses with 6 decimals and the rate with 8 significant digits.
        assertEquals(e[c], a[c], 1e-6 * Math.abs(e[c]) + 2e-6, "step " + e[0] + " column " + c);
      }
    }
  }

  /**
   * ||a - b|| / ||a|| over every value of two safetensors files of the same tensors in the same
   * layout.
   */
  private static double relativeDifference(Path expected, Path actual) throws IOException {
    ByteBuffer e = ByteBuffer.wrap(Files.readAllBytes(expected)).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer a = ByteBuffer.wrap(Files.readAllBytes(actual)).order(ByteOrder.LITTLE_ENDIAN);
    long headerBytes = e.getLong(0);
    assertEquals(headerBytes, a.getLong(0), "same safetensors header length");
    int dataStart = (int) (8 + headerBytes);
    assertEquals(
        new String(e.array(), 8, (int) headerBytes, StandardCharsets.UTF_8),
        new String(a.array(), 8, (int) headerBytes, StandardCharsets.UTF_8),
        "same tensor names, shapes and offsets");
    assertEquals(e.capacity(), a.capacity());
    double diff = 0;
    double norm = 0;
    // The header says F32 for the parameters and I64 for the index buffer; I64 values compare
    // equal as float pairs too, so reading everything as float32 is a sound equality check.
    for (int i = dataStart; i + 4 <= e.capacity(); i += 4) {
      double x = e.getFloat(i);
      double y = a.getFloat(i);
      if (Double.isNaN(x) || Double.isNaN(y)) {
        assertEquals(e.getInt(i), a.getInt(i), "same bits where not a number");
        continue;
      }
      diff += (x - y) * (x - y);
      norm += x * x;
    }
    return Math.sqrt(diff / norm);
  }

  private static int stepsIn(Path out) {
    try {
      return Files.exists(out.resolve(TrainerSinkOptions.METRICS_FILE))
          ? TrainingLog.read(out.resolve(TrainerSinkOptions.METRICS_FILE)).steps()
          : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private static void waitForTermination(JobClient job) throws InterruptedException {
    waitFor(() -> job.getJobExecutionResult().isDone(), "the job to end");
  }

  static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMillis(TIMEOUT_MS).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  /**
   * Passes samples through, counting them, noting how many had passed when a checkpoint completed,
   * and throwing once at a chosen count (the MiniCluster runs in this JVM, so statics are shared).
   */
  static final class Probe
      implements MapFunction<TrainingSample, TrainingSample>, CheckpointListener {
    static final AtomicInteger seen = new AtomicInteger();
    static final AtomicInteger completedAt = new AtomicInteger();
    static final AtomicInteger failAt = new AtomicInteger();
    static final AtomicBoolean failed = new AtomicBoolean();
    static final AtomicInteger completions = new AtomicInteger();
    static final AtomicBoolean recording = new AtomicBoolean();
    static final List<TrainingSample> recorded = new CopyOnWriteArrayList<>();

    static void reset(int failAtCount) {
      seen.set(0);
      completedAt.set(-1);
      failAt.set(failAtCount);
      failed.set(false);
      completions.set(0);
      recorded.clear();
    }

    @Override
    public TrainingSample map(TrainingSample sample) {
      if (seen.incrementAndGet() == failAt.get() && failed.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure at sample " + failAt.get());
      }
      if (recording.get()) {
        recorded.add(sample);
      }
      return sample;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      completedAt.set(seen.get());
      completions.incrementAndGet();
    }
  }
}
