/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.ccvit.infra.KafkaTopics;
import org.ccvit.infra.cluster.ClusterLibraries;
import org.ccvit.infra.cluster.FlinkRest;
import org.ccvit.infra.cluster.LocalCluster;
import org.ccvit.jobs.RealImages;
import org.ccvit.jobs.kafka.KafkaPublisher;
import org.ccvit.jobs.kafka.KafkaSettings;
import org.ccvit.jobs.options.ModelOptions;
import org.ccvit.jobs.options.TrainingOptions;
import org.ccvit.jobs.pretrain.PretrainJob;
import org.ccvit.jobs.pretrain.PretrainOptions;
import org.ccvit.jobs.report.TrainingLog;
import org.ccvit.schemas.AvroCodec;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.trainer.flink.TrainerSinkOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The pre-training job as users run it: a job jar submitted to a standalone session cluster (a
 * JobManager and TaskManagers, each its own JVM) fed by a Kafka broker process, with real images.
 * Every run reads the same records of its own single-partition topic with one tokenizer, so batches
 * form identically and an interrupted run must end with the weights of the uninterrupted one. The
 * trainer has a slot sharing group of its own, and TaskManagers one slot each, so trainer and
 * tokenizer run on different TaskManagers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterPretrainIT {
  private static final int IMAGE_SIZE = 64;
  private static final int PATCH_SIZE = 8;
  private static final int K = 64;
  private static final int IMAGES = 296;
  private static final int PASSES = 3;
  private static final int TOTAL = IMAGES * PASSES;
  private static final int BATCH = 8;
  private static final int STEPS = TOTAL / BATCH; // whole batches only: 888 = 111 x 8
  private static final double LR = 5e-3;

  /** Fragments of the job's vertex names (topic names appear in the sources' names). */
  private static final String TRAINER = "trainer: Writer";

  private static final String TOKENIZER = "tokenize, mask";
  private static final Duration TIMEOUT = Duration.ofMinutes(4);

  private static Path work;
  private static LocalCluster cluster;
  private static List<ImageRecord> records;
  private static Path codebookFile;
  private static Path baseline;
  private static double baselineSamplesPerSecond;

  @BeforeAll
  static void clusterImagesAndCodebook() throws Exception {
    List<ImageRecord> images = RealImages.imagenetteValidation(IMAGES);
    records = new ArrayList<>();
    for (int pass = 0; pass < PASSES; pass++) {
      records.addAll(images);
    }
    work = Path.of(System.getProperty("ccvit.it.dir", "target/cluster-it")).toAbsolutePath();
    deleteTree(work);
    Files.createDirectories(work);
    // Any codebook of the right shape serves: the tests are about state, not what is learned.
    codebookFile = work.resolve("centroids.npy");
    randomCodebook("random", 3).writeNpy(codebookFile);
    long start = System.nanoTime();
    cluster =
        LocalCluster.start(work.resolve("cluster"), 2, 1, ClusterLibraries.fromSystemProperty());
    System.out.printf(
        Locale.ROOT,
        "cluster: started 1 JobManager, 2 TaskManagers and a broker in %.1f s (%s, %s)%n",
        seconds(start),
        cluster.restAddress(),
        cluster.bootstrapServers());
  }

  /** A failed test must not leave its job holding the slots the next one needs. */
  @AfterEach
  void cancelLeftoverJobs() throws Exception {
    cluster.rest().cancelUnfinishedJobs();
    awaitSlotsFree();
  }

  private static void awaitSlotsFree() throws Exception {
    waitFor(
        () ->
            cluster.rest().get("/overview").path("slots-available").asInt()
                == cluster.rest().get("/overview").path("slots-total").asInt(),
        "free slots");
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.stop();
    }
  }

  @Test
  @Order(1)
  void uninterruptedRunOnTheClusterTrainsEverySampleOnceAndMatchesTheMiniCluster()
      throws Exception {
    baseline = work.resolve("baseline");
    Run run = start("baseline", baseline, LR, 1, 0);
    long started = System.nanoTime();
    publish("baseline");
    run.awaitFinished();
    baselineSeconds = seconds(started);
    Counts counts = assertExactlyOnce("baseline", baseline);
    baselineSamplesPerSecond = counts.samplesPerSecond;

    // One batch short: its weights differ from the baseline's by what one step moves them.
    Path shortRun = work.resolve("one-step-short");
    PretrainOptions oneShort = options("one-step-short", shortRun, LR, 1, 0);
    oneShort.stopAtOffset = TOTAL - BATCH;
    Run run2 = start(oneShort);
    publish("one-step-short");
    run2.awaitFinished();
    oneStepMove = relativeDistance(weights(baseline), weights(shortRun));

    // The same job on a MiniCluster in this JVM, for its speed.
    Path local = work.resolve("minicluster");
    KafkaTopics.create(cluster.bootstrapServers(), 1, "minicluster");
    publish("minicluster");
    PretrainOptions options = options("minicluster", local, LR, 1, 0);
    // A local MiniCluster has as many slots as the job's parallelism: no group of its own.
    options.trainerSlotGroup = false;
    long localStart = System.nanoTime();
    PretrainJob.submit(options, PretrainJob.environment(options, null))
        .getJobExecutionResult()
        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    double localSeconds = seconds(localStart);
    Counts localCounts = assertExactlyOnce("minicluster", local);
    // PyTorch's CPU backward is not always bit-reproducible between processes (summation order
    // can follow memory alignment): two uninterrupted runs may drift apart, and at this learning
    // rate a drift grows step by step. Measured here, it bounds what a restore can be held to.
    uninterruptedSpread = relativeDistance(weights(baseline), weights(local));
    System.out.printf(
        Locale.ROOT,
        "throughput: cluster median %.1f samples/s per step (job %.1f s), MiniCluster %.1f"
            + " samples/s (job %.1f s); %d samples of %dpx, batch %d, tiny model%n"
            + "one step moves the weights by %.3e (relative L2); two uninterrupted runs (cluster,"
            + " MiniCluster) differ by %.3e%n",
        baselineSamplesPerSecond,
        baselineSeconds,
        localCounts.samplesPerSecond,
        localSeconds,
        TOTAL,
        IMAGE_SIZE,
        BATCH,
        oneStepMove,
        uninterruptedSpread);
    assertTrue(oneStepMove > 1e-3, "one step must move the weights measurably: " + oneStepMove);
  }

  private static double oneStepMove = Double.NaN;
  private static double uninterruptedSpread = Double.NaN;
  private static double baselineSeconds = Double.NaN;

  @Test
  @Order(2)
  void killingTheTrainersTaskManagerThenRestartingTheBrokerLosesNothing() throws Exception {
    String name = "kill-trainer+broker";
    Path out = work.resolve("kill-trainer-broker");
    Run run = start("kill-trainer-broker", out, LR, 1, 0);
    String trainerTm = onlyTaskManagerOf(run, TRAINER);
    assertNotEquals(trainerTm, onlyTaskManagerOf(run, TOKENIZER), "trainer and tokenizer apart");
    // Images arrive in thirds, so every interruption falls before the end whatever the speed.
    publish(run.topic, 0, TOTAL / 3);
    run.awaitCheckpoints(2);
    awaitSteps(out, 5);
    String recovery = killAndReplace(run, out, trainerTm);

    publish(run.topic, TOTAL / 3, 2 * TOTAL / 3);
    run.awaitCheckpoints(cluster.rest().completedCheckpoints(run.id) + 2);
    int stepsAtStop = stepsIn(out);
    long stopped = System.nanoTime();
    cluster.stopBroker();
    Thread.sleep(3000);
    cluster.startBroker();
    double brokerDown = seconds(stopped);
    publish(run.topic, 2 * TOTAL / 3, TOTAL);
    run.awaitFinished();
    Counts counts = assertExactlyOnce(name, out);
    double distance = assertSameWeightsAsBaseline(name, out);
    System.out.printf(
        Locale.ROOT,
        "SCENARIO %s: %s; broker down and up in %.1f s at step %d; %s; weights differ by %.3e"
            + " (one step moves them %.3e)%n",
        name,
        recovery,
        brokerDown,
        stepsAtStop,
        counts,
        distance,
        oneStepMove);
  }

  @Test
  @Order(3)
  void aTrainerFailureInTheSameJvmThenKillingTheTokenizersTaskManagerLosesNothing()
      throws Exception {
    String name = "failover+kill-tokenizer";
    Path out = work.resolve("failover-kill-tokenizer");
    // The failure counts the trainer's inputs: the codebook, then samples.
    Run run = start("failover-kill-tokenizer", out, LR, 1, TOTAL / 6);
    String trainerTm = onlyTaskManagerOf(run, TRAINER);
    long pid = cluster.taskManagerProcess(trainerTm).orElseThrow().pid();
    publish(run.topic, 0, TOTAL / 3);
    waitFor(() -> run.restarts() >= 1, "the injected failure");
    long failed = System.nanoTime();
    run.awaitRunning();
    double runningAgain = seconds(failed);
    String history = cluster.rest().get("/jobs/" + run.id + "/exceptions").toString();
    assertTrue(
        history.contains("injected failure"), "the failure was the injected one: " + history);
    assertEquals(trainerTm, onlyTaskManagerOf(run, TRAINER), "restarted on the same TaskManager");
    assertEquals(
        pid,
        cluster.taskManagerProcess(trainerTm).orElseThrow().pid(),
        "in the same JVM, which had loaded PyTorch before");
    int stepsAfterFailover = stepsIn(out);

    run.awaitCheckpoints(cluster.rest().completedCheckpoints(run.id) + 2);
    String tokenizerTm = onlyTaskManagerOf(run, TOKENIZER);
    assertNotEquals(trainerTm, tokenizerTm, "trainer and tokenizer apart");
    String recovery = killAndReplace(run, out, tokenizerTm);
    publish(run.topic, TOTAL / 3, TOTAL);
    run.awaitFinished();
    Counts counts = assertExactlyOnce(name, out);
    double distance = assertSameWeightsAsBaseline(name, out);
    System.out.printf(
        Locale.ROOT,
        "SCENARIO %s: injected failure at input %d, running again in the same JVM (pid %d) after"
            + " %.1f s, step %d soon after; %s; %s; weights differ by %.3e (one step moves them"
            + " %.3e)%n",
        name,
        TOTAL / 6,
        pid,
        runningAgain,
        stepsAfterFailover,
        recovery,
        counts,
        distance,
        oneStepMove);
  }

  @Test
  @Order(4)
  void savepointsWhileRunningAndAtStopResumeAtTheirStep() throws Exception {
    String name = "savepoints";
    Path out = work.resolve("savepoints");
    String savepoints = work.resolve("savepoint-files").toUri().toString();
    Run first = start("savepoints", out, LR, 1, 0);
    int firstPart = TOTAL / 3 / BATCH * BATCH;
    publish(first.topic, 0, firstPart);
    // Idle at a step boundary: the savepoint holds exactly that step and no pending samples.
    awaitSteps(out, firstPart / BATCH);
    first.awaitCheckpoints(2);
    String running =
        first
            .client
            .triggerSavepoint(savepoints, SavepointFormatType.CANONICAL)
            .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    long atSavepoint = cluster.rest().completedCheckpoints(first.id);
    publish(first.topic, firstPart, 2 * TOTAL / 3);
    first.awaitCheckpoints(atSavepoint + 2);
    int stepsAtCancel = stepsIn(out);
    first.client.cancel().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    awaitSlotsFree();

    PretrainOptions again = options("savepoints", out, LR, 1, 0);
    again.restore = running;
    Run second = submit(again);
    second.awaitCheckpoints(2);
    String stopped =
        second
            .client
            .stopWithSavepoint(false, savepoints, SavepointFormatType.CANONICAL)
            .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    int stepsAtStop = stepsIn(out);
    assertTrue(stepsAtStop < STEPS, "stopped before the end: " + stepsAtStop);
    // Two tokenizers and the trainer need three slots.
    while (cluster.rest().taskManagers().size() < 3) {
      cluster.addTaskManager();
    }
    PretrainOptions resumed = options("savepoints", out, LR / 5, 2, 0);
    resumed.restore = stopped;
    Run third = submit(resumed);
    publish(third.topic, 2 * TOTAL / 3, TOTAL);
    // A bounded Kafka read restored from a savepoint never ends by itself (see README, Running on
    // a cluster): once the last step is trained, the job is cancelled.
    awaitSteps(out, STEPS);
    assertEquals("RUNNING", cluster.rest().jobState(third.id));
    third.client.cancel().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    awaitSlotsFree();
    Counts counts = assertExactlyOnce(name, out);
    double[] lr = TrainingLog.read(out.resolve(TrainerSinkOptions.METRICS_FILE)).column("lr");
    // The step after the savepoint's runs at the new schedule's rate for that step.
    assertTrue(
        lr[stepsAtStop] < lr[stepsAtStop - 1] / 2,
        "the new learning rate from step " + (stepsAtStop + 1));
    System.out.printf(
        Locale.ROOT,
        "SCENARIO %s: savepoint while running at step %d, cancelled at step %d after two more"
            + " checkpoints, restored from the savepoint; stop-with-savepoint at step %d, resumed with 2 tokenizers and lr %.1e; %s%n",
        name,
        firstPart / BATCH,
        stepsAtCancel,
        stepsAtStop,
        LR / 5,
        counts);
  }

  @Test
  @Order(5)
  void aCodebookVersionPublishedMidRunIsTrainedOn() throws Exception {
    String name = "live-codebook";
    Path out = work.resolve("live-codebook");
    String codebooks = "live-codebook-versions";
    KafkaTopics.create(cluster.bootstrapServers(), 1, codebooks);
    Codebook v1 = randomCodebook("v1", 3);
    Codebook v2 = randomCodebook("v2", 4);
    try (KafkaPublisher publisher = new KafkaPublisher(kafka())) {
      publisher.publishCodebook(v1.toRecord(Map.of("test", "v1")), codebooks);
    }
    PretrainOptions options = options("live-codebook", out, LR, 1, 0);
    // Codebooks from a topic have no end: the job runs until cancelled.
    options.codebookTopic = codebooks;
    options.stopAtOffset = 0;
    Run run = start(options);
    publish(run.topic, 0, IMAGES);
    awaitSteps(out, IMAGES / BATCH);
    long publishedAt = System.nanoTime();
    try (KafkaPublisher publisher = new KafkaPublisher(kafka())) {
      publisher.publishCodebook(v2.toRecord(Map.of("test", "v2")), codebooks);
    }
    // Images of the second pass are tokenized with v1 until v2 reaches the tokenizer.
    publish(run.topic, IMAGES, 2 * IMAGES);
    waitFor(() -> versionsOfSteps(out).contains("v2"), "a step with the new version");
    double switchSeconds = seconds(publishedAt);
    // A third pass fills the batch the second leaves unfinished (a read without end never ends
    // it); the run is done once every sample of the first two passes is trained.
    publish(run.topic, 2 * IMAGES, 3 * IMAGES);
    Set<String> produced = producedKeys(2);
    waitFor(
        () -> new HashSet<>(trainedRows(out)).containsAll(produced),
        "every sample of two passes trained");
    run.client.cancel().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    awaitSlotsFree();

    List<String> rows = trainedRows(out);
    assertEquals(rows.size(), new HashSet<>(rows).size(), "no sample trained twice");
    List<String> versions = versionsOfSteps(out);
    double[] steps = TrainingLog.read(out.resolve(TrainerSinkOptions.METRICS_FILE)).column("step");
    for (int i = 0; i < steps.length; i++) {
      assertEquals(i + 1, steps[i], "steps each once");
    }
    int firstV2 = versions.indexOf("v2");
    assertTrue(firstV2 >= IMAGES / BATCH, "every step of the first pass on v1: " + firstV2);
    for (int i = 0; i < versions.size(); i++) {
      assertEquals(i < firstV2 ? "v1" : "v2", versions.get(i), "version of step " + (i + 1));
    }
    // The rule: old-version samples in flight at the switch are trained as a short batch, or
    // dropped as stale if they come after the first new-version sample (one tokenizer: never).
    List<String> stepOfRow =
        Files.readAllLines(out.resolve(TrainerSinkOptions.TRAINED_KEYS_FILE)).stream()
            .skip(1)
            .map(l -> l.substring(0, l.indexOf(',')))
            .toList();
    int trainedV1 = 0;
    for (int i = 0; i < rows.size(); i++) {
      if (produced.contains(rows.get(i))
          && versions.get(Integer.parseInt(stepOfRow.get(i)) - 1).equals("v1")) {
        trainedV1++;
      }
    }
    double[] stale =
        TrainingLog.read(out.resolve(TrainerSinkOptions.METRICS_FILE)).column("stale_samples");
    double dropped = stale[stale.length - 1];
    assertEquals(0, dropped, "with one tokenizer no v1 sample comes after a v2 sample");
    System.out.printf(
        Locale.ROOT,
        "SCENARIO %s: v2 published after step %d, first v2 step (%d) %.1f s later; of %d samples"
            + " of two passes, v1 trained %d (%d in flight at the switch), dropped (stale) %.0f, v2"
            + " trained %d; duplicates 0, lost 0; %d steps, versions v1 then v2%n",
        name,
        IMAGES / BATCH,
        firstV2 + 1,
        switchSeconds,
        produced.size(),
        trainedV1,
        trainedV1 - IMAGES,
        dropped,
        produced.size() - trainedV1,
        steps.length);
  }

  /**
   * Kills (SIGKILL, as kill -9) a TaskManager of the job, starts a replacement and waits until the
   * job runs again and completes a checkpoint; returns a description with the recovery times.
   */
  private static String killAndReplace(Run run, Path out, String victim) throws Exception {
    long restarts = run.restarts();
    int stepsAtKill = stepsIn(out);
    ProcessHandle process = cluster.taskManagerProcess(victim).orElseThrow();
    long killed = System.nanoTime();
    process.destroyForcibly();
    process.onExit().join();
    String replacement = cluster.addTaskManager();
    waitFor(() -> run.restarts() > restarts, "the job to notice the lost TaskManager");
    run.awaitRunning();
    double running = seconds(killed);
    run.awaitCheckpoints(cluster.rest().completedCheckpoints(run.id) + 1);
    double checkpointed = seconds(killed);
    return String.format(
        Locale.ROOT,
        "killed %s at step %d, replaced by %s, running again after %.1f s, a new checkpoint after"
            + " %.1f s",
        victim,
        stepsAtKill,
        replacement,
        running,
        checkpointed);
  }

  private record Counts(
      int produced, int trained, int duplicates, int lost, int steps, double samplesPerSecond) {
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "produced %d, trained %d, duplicates %d, lost %d, steps %d",
          produced,
          trained,
          duplicates,
          lost,
          steps);
    }
  }

  /** Every (epoch, key) produced was trained exactly once; steps 1..N each once. */
  private static Counts assertExactlyOnce(String name, Path out) throws IOException {
    List<String> rows = trainedRows(out);
    Set<String> trained = new HashSet<>(rows);
    Set<String> produced = producedKeys(PASSES);
    Set<String> lost = new HashSet<>(produced);
    lost.removeAll(trained);
    double[] steps = TrainingLog.read(out.resolve(TrainerSinkOptions.METRICS_FILE)).column("step");
    Counts counts =
        new Counts(
            produced.size(),
            rows.size(),
            rows.size() - trained.size(),
            lost.size(),
            steps.length,
            medianSamplesPerSecond(out));
    System.out.printf(
        Locale.ROOT,
        "%s: produced %d, trained %d, duplicates %d, lost %d; steps %d%n",
        name,
        counts.produced,
        counts.trained,
        counts.duplicates,
        counts.lost,
        counts.steps);
    assertEquals(0, counts.duplicates, "trained twice");
    assertEquals(produced, trained, "trained exactly what was produced");
    assertEquals(STEPS, steps.length, "steps");
    for (int i = 0; i < steps.length; i++) {
      assertEquals(i + 1, steps[i], "steps of the surviving lineage, each once");
    }
    return counts;
  }

  /** "epoch,key" of every trained sample, in training order. */
  private static List<String> trainedRows(Path out) throws IOException {
    Path file = out.resolve(TrainerSinkOptions.TRAINED_KEYS_FILE);
    if (!Files.exists(file)) {
      return List.of();
    }
    return Files.readAllLines(file).stream()
        .skip(1)
        .map(l -> l.substring(l.indexOf(',') + 1))
        .toList();
  }

  /** "epoch,key" of every sample of the first {@code passes} passes. */
  private static Set<String> producedKeys(int passes) {
    Set<String> produced = new HashSet<>();
    for (int pass = 0; pass < passes; pass++) {
      for (int i = 0; i < IMAGES; i++) {
        produced.add(pass + "," + records.get(i).getKey());
      }
    }
    return produced;
  }

  /**
   * The run trained the same samples in the same batches at the same steps as the uninterrupted
   * run, and its weights are within a tenth of one step's move of the uninterrupted run's, or,
   * where two uninterrupted runs drifted further apart than that, within twice their distance.
   */
  private static double assertSameWeightsAsBaseline(String name, Path out) throws IOException {
    assertEquals(
        Files.readAllLines(baseline.resolve(TrainerSinkOptions.TRAINED_KEYS_FILE)),
        Files.readAllLines(out.resolve(TrainerSinkOptions.TRAINED_KEYS_FILE)),
        name + ": the same batches at the same steps as the uninterrupted run");
    double distance = relativeDistance(weights(baseline), weights(out));
    double tolerance = Math.max(oneStepMove / 10, 2 * uninterruptedSpread);
    System.out.printf(
        Locale.ROOT,
        "%s: weights differ from the uninterrupted run's by %.3e (tolerance %.3e: a tenth of one"
            + " step's %.3e, or twice the %.3e between two uninterrupted runs)%n",
        name,
        distance,
        tolerance,
        oneStepMove,
        uninterruptedSpread);
    assertFalse(Double.isNaN(tolerance), "the baseline test ran first");
    assertTrue(distance <= tolerance, name + ": weights differ by " + distance);
    return distance;
  }

  private static PretrainOptions options(
      String topic, Path out, double lr, int parallelism, long failAt) {
    PretrainOptions o = new PretrainOptions();
    o.bootstrapServers = cluster.bootstrapServers();
    o.topic = topic;
    o.groupId = "it-" + topic;
    o.stopAtOffset = TOTAL;
    o.codebook = codebookFile;
    o.out = out.toString();
    o.parallelism = parallelism;
    o.trainerSlotGroup = true;
    o.checkpointIntervalMs = 2000;
    o.failOnceAtSample = failAt;
    o.passes = 1;
    // Arrival order: the runs here count steps as images arrive in thirds (ShufflePipelineTest
    // covers restores with the shuffle buffer).
    o.shuffleBuffer = 0;
    o.model = new ModelOptions();
    o.model.imageSize = IMAGE_SIZE;
    o.model.patchSize = PATCH_SIZE;
    o.model.preset = ModelOptions.Preset.TINY;
    o.training = new TrainingOptions();
    o.training.batchSize = BATCH;
    o.training.lr = lr;
    o.training.minLr = 1e-5;
    o.training.warmupSteps = 2;
    // A schedule longer than the run keeps the rate near its peak, so one step moves the weights
    // as much as a lost or repeated step would mid-run (at the cosine's end it moves them ~4e-5).
    o.training.totalSteps = 10 * STEPS;
    o.training.weightDecay = 0.05;
    o.training.clipGrad = 3.0;
    o.training.seed = 7;
    return o;
  }

  /** Creates the run's topic and submits the job; returns once its tokenizer has the codebook. */
  private static Run start(String topic, Path out, double lr, int parallelism, long failAt)
      throws Exception {
    return start(options(topic, out, lr, parallelism, failAt));
  }

  private static Run start(PretrainOptions options) throws Exception {
    KafkaTopics.create(cluster.bootstrapServers(), 1, options.topic);
    Run run = submit(options);
    // Images published only after the codebook has reached the tokenizer never wait for it, so
    // they are tokenized in partition order and batches form the same in every run.
    String tokenizer = cluster.rest().vertexId(run.id, TOKENIZER);
    waitFor(
        () -> metricSum(run.id, tokenizer, "numRecordsIn") >= 1, "the codebook at the tokenizer");
    return run;
  }

  private static Run submit(PretrainOptions options) throws Exception {
    JobClient client =
        PretrainJob.submit(options, PretrainJob.environment(options, cluster.jobManager()));
    Run run = new Run(client, client.getJobID().toHexString(), options.topic);
    run.awaitRunning();
    return run;
  }

  /** A submitted job. */
  private record Run(JobClient client, String id, String topic) {
    /** Flink's count of the job's restarts so far. */
    long restarts() throws IOException {
      JsonNode values = cluster.rest().get("/jobs/" + id + "/metrics?get=numRestarts");
      return values.size() == 0 ? 0 : values.get(0).path("value").asLong();
    }

    void awaitRunning() throws Exception {
      waitFor(
          () -> {
            JsonNode job = cluster.rest().get("/jobs/" + id);
            if (!"RUNNING".equals(job.path("state").asText())) {
              return false;
            }
            for (JsonNode v : job.path("vertices")) {
              String s = v.path("status").asText();
              if (!s.equals("RUNNING") && !s.equals("FINISHED")) {
                return false;
              }
            }
            return true;
          },
          "job " + id + " running");
    }

    void awaitCheckpoints(long completed) throws Exception {
      waitFor(
          () -> cluster.rest().completedCheckpoints(id) >= completed,
          completed + " completed checkpoints");
    }

    void awaitFinished() throws Exception {
      client.getJobExecutionResult().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      assertEquals("FINISHED", cluster.rest().jobState(id));
    }
  }

  private static String onlyTaskManagerOf(Run run, String vertex) throws IOException {
    FlinkRest rest = cluster.rest();
    List<String> tms = rest.taskManagersOf(run.id, rest.vertexId(run.id, vertex));
    assertEquals(1, tms.size(), vertex + " runs on one TaskManager: " + tms);
    return tms.get(0);
  }

  private static double metricSum(String jobId, String vertexId, String metric) throws IOException {
    JsonNode values =
        cluster
            .rest()
            .get("/jobs/" + jobId + "/vertices/" + vertexId + "/subtasks/metrics?get=" + metric);
    return values.size() == 0 ? 0 : values.get(0).path("sum").asDouble();
  }

  private static Codebook randomCodebook(String version, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] centroids = new float[K * 3 * PATCH_SIZE * PATCH_SIZE];
    for (int i = 0; i < centroids.length; i++) {
      centroids[i] = (float) random.nextDouble();
    }
    return new Codebook(version, K, PATCH_SIZE, 3, centroids);
  }

  private static KafkaSettings kafka() {
    return new KafkaSettings(cluster.bootstrapServers());
  }

  /** The codebook version of each step in {@code metrics.csv}. */
  private static List<String> versionsOfSteps(Path out) throws IOException {
    Path metrics = out.resolve(TrainerSinkOptions.METRICS_FILE);
    if (!Files.exists(metrics)) {
      return List.of();
    }
    List<String> lines = Files.readAllLines(metrics);
    int column = List.of(lines.get(0).split(",")).indexOf("codebook_version");
    return lines.stream().skip(1).map(l -> l.split(",")[column]).toList();
  }

  private static void publish(String topic) throws Exception {
    publish(topic, 0, TOTAL);
  }

  /** Publishes records {@code [from, to)} of the run's sequence to the topic. */
  private static void publish(String topic, int from, int to) throws Exception {
    AvroCodec<ImageRecord> codec = new AvroCodec<>(ImageRecord.class);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(kafka().producerProperties())) {
      for (ImageRecord r : records.subList(from, to)) {
        producer.send(
            new ProducerRecord<>(
                topic, r.getKey().getBytes(StandardCharsets.UTF_8), codec.encode(r)));
      }
      producer.flush();
    }
  }

  private static void awaitSteps(Path out, int steps) throws Exception {
    waitFor(() -> stepsIn(out) >= steps, steps + " steps");
  }

  private static int stepsIn(Path out) {
    try {
      return TrainingLog.read(out.resolve(TrainerSinkOptions.METRICS_FILE)).steps();
    } catch (IOException e) {
      return 0;
    }
  }

  private static double medianSamplesPerSecond(Path out) throws IOException {
    double[] rates =
        TrainingLog.read(out.resolve(TrainerSinkOptions.METRICS_FILE)).column("samples_per_sec");
    Arrays.sort(rates);
    return rates[rates.length / 2];
  }

  private static float[] weights(Path out) throws IOException {
    ByteBuffer b =
        ByteBuffer.wrap(Files.readAllBytes(out.resolve(TrainerSinkOptions.WEIGHTS_FILE)))
            .order(ByteOrder.LITTLE_ENDIAN);
    int dataStart = (int) (8 + b.getLong(0));
    float[] values = new float[(b.capacity() - dataStart) / 4];
    b.position(dataStart);
    b.asFloatBuffer().get(values);
    return values;
  }

  /** ||a - b|| / ||a|| over the finite values (the index buffer's I64 halves are compared too). */
  private static double relativeDistance(float[] a, float[] b) {
    assertEquals(a.length, b.length, "same layout");
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < a.length; i++) {
      if (Float.isNaN(a[i]) || Float.isNaN(b[i])) {
        assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]));
        continue;
      }
      diff += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
      norm += (double) a[i] * a[i];
    }
    return Math.sqrt(diff / norm);
  }

  @FunctionalInterface
  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void waitFor(Condition condition, String what) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(200);
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
