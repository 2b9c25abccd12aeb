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
import org.ccvit.jobs.kafka.KafkaSettings;
import org.ccvit.jobs.options.ModelOptions;
import org.ccvit.jobs.options.ViewOptions;
import org.ccvit.jobs.pretrain.PretrainJob;
import org.ccvit.jobs.pretrain.PretrainOptions;
import org.ccvit.jobs.report.TrainingLog;
import org.ccvit.schemas.AvroCodec;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.io.ImageSources;
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
    Path shard =
        Path.of(System.getProperty("ccvit.datasets.dir", "../../shared/datasets"))
            .resolve("imagenette-224/val-00000.tar.gz");
    assertTrue(Files.exists(shard), "real images needed at " + shard);
    List<ImageRecord> images = new ArrayList<>();
    ImageSources.readAll(List.of(shard), IMAGES, images::add);
    records = new ArrayList<>();
    for (int pass = 0; pass < PASSES; pass++) {
      records.addAll(images);
    }
    work = Path.of(System.getProperty("ccvit.it.dir", "target/cluster-it")).toAbsolutePath();
    deleteTree(work);
    Files.createDirectories(work);
    // Any codebook of the right shape serves: the tests are about state, not what is learned.
    SplittableRandom random = new SplittableRandom(3);
    float[] centroids = new float[K * 3 * PATCH_SIZE * PATCH_SIZE];
    for (int i = 0; i < centroids.length; i++) {
      centroids[i] = (float) random.nextDouble();
    }
    codebookFile = work.resolve("centroids.npy");
    new Codebook("random", K, PATCH_SIZE, 3, centroids).writeNpy(codebookFile);
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
    System.out.printf(
        Locale.ROOT,
        "throughput: cluster median %.1f samples/s per step (job %.1f s), MiniCluster %.1f"
            + " samples/s (job %.1f s); %d samples of %dpx, batch %d, tiny model%n"
            + "one step moves the weights by %.3e (relative L2)%n",
        baselineSamplesPerSecond,
        baselineSeconds,
        localCounts.samplesPerSecond,
        localSeconds,
        TOTAL,
        IMAGE_SIZE,
        BATCH,
        oneStepMove);
    assertTrue(oneStepMove > 1e-3, "one step must move the weights measurably: " + oneStepMove);
  }

  private static double oneStepMove = Double.NaN;
  private static double baselineSeconds = Double.NaN;

  @Test
  @Order(2)
  void killingTheTaskManagerOfTheTrainerLosesNothing() throws Exception {
    killTaskManagerAndRecover("kill-trainer", TRAINER);
  }

  @Test
  @Order(3)
  void killingTheTaskManagerOfTheTokenizerLosesNothing() throws Exception {
    killTaskManagerAndRecover("kill-tokenizer", TOKENIZER);
  }

  @Test
  @Order(4)
  void aTrainerFailureRestartsItInTheSameTaskManagerJvm() throws Exception {
    Path out = work.resolve("failover");
    Run run = start("failover", out, LR, 1, TOTAL / 3);
    String trainerTm = onlyTaskManagerOf(run, TRAINER);
    long pid = cluster.taskManagerProcess(trainerTm).orElseThrow().pid();
    publish("failover");
    run.awaitFinished();
    JsonNode exceptions = cluster.rest().get("/jobs/" + run.id + "/exceptions");
    String history = exceptions.toString();
    assertTrue(history.contains("injected failure"), "the failure happened: " + history);
    assertEquals(trainerTm, onlyTaskManagerOf(run, TRAINER), "restarted on the same TaskManager");
    assertEquals(
        pid,
        cluster.taskManagerProcess(trainerTm).orElseThrow().pid(),
        "in the same JVM, which had loaded PyTorch before");
    assertExactlyOnce("failover (same JVM)", out);
    assertSameWeightsAsBaseline("failover", out);
  }

  @Test
  @Order(5)
  void aBrokerRestartMidRunLosesNothing() throws Exception {
    Path out = work.resolve("broker-restart");
    Run run = start("broker-restart", out, LR, 1, 0);
    publish("broker-restart");
    run.awaitCheckpoints(2);
    long stopped = System.nanoTime();
    cluster.stopBroker();
    Thread.sleep(3000);
    cluster.startBroker();
    System.out.printf(
        Locale.ROOT,
        "broker-restart: broker down and up again in %.1f s at step %d%n",
        seconds(stopped),
        stepsIn(out));
    run.awaitFinished();
    assertExactlyOnce("broker-restart", out);
    assertSameWeightsAsBaseline("broker-restart", out);
  }

  @Test
  @Order(6)
  void stopWithSavepointAndResumeWithMoreTokenizersAndAnotherLearningRate() throws Exception {
    Path out = work.resolve("savepoint");
    Run first = start("savepoint", out, LR, 1, 0);
    publish("savepoint");
    first.awaitCheckpoints(2);
    String savepoint =
        first
            .client
            .stopWithSavepoint(
                false, work.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
            .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    int stepsAtSavepoint = stepsIn(out);
    assertTrue(stepsAtSavepoint < STEPS, "stopped before the end: " + stepsAtSavepoint);
    // Two tokenizers and the trainer need three slots.
    while (cluster.rest().taskManagers().size() < 3) {
      cluster.addTaskManager();
    }
    PretrainOptions resumed = options("savepoint", out, LR / 5, 2, 0);
    resumed.restore = savepoint;
    Run second = submit(resumed);
    second.awaitFinished();
    Counts counts = assertExactlyOnce("savepoint upgrade", out);
    TrainingLog log = TrainingLog.read(out.resolve(TrainerSinkOptions.METRICS_FILE));
    double[] lr = log.column("lr");
    // The step after the savepoint's runs at the new schedule's rate for that step.
    assertTrue(
        lr[stepsAtSavepoint] < lr[stepsAtSavepoint - 1] / 2,
        "the new learning rate from step " + (stepsAtSavepoint + 1));
    System.out.printf(
        Locale.ROOT,
        "savepoint: stopped after step %d, resumed with 2 tokenizers and lr %.1e at step %d;"
            + " %d steps in all%n",
        stepsAtSavepoint,
        LR / 5,
        stepsAtSavepoint + 1,
        counts.steps);
  }

  /** Kills (SIGKILL) the TaskManager running {@code vertex} after two checkpoints, replaces it. */
  private void killTaskManagerAndRecover(String name, String vertex) throws Exception {
    Path out = work.resolve(name);
    Run run = start(name, out, LR, 1, 0);
    String victim = onlyTaskManagerOf(run, vertex);
    String other = onlyTaskManagerOf(run, vertex.equals(TRAINER) ? TOKENIZER : TRAINER);
    assertNotEquals(victim, other, "trainer and tokenizer run on different TaskManagers");
    publish(name);
    run.awaitCheckpoints(2);
    int stepsAtKill = stepsIn(out);
    long killed = System.nanoTime();
    ProcessHandle process = cluster.taskManagerProcess(victim).orElseThrow();
    process.destroyForcibly(); // SIGKILL, as kill -9
    process.onExit().join();
    String replacement = cluster.addTaskManager();
    long before = cluster.rest().completedCheckpoints(run.id);
    run.awaitRunning();
    double running = seconds(killed);
    run.awaitCheckpoints(before + 1);
    double checkpointed = seconds(killed);
    run.awaitFinished();
    Counts counts = assertExactlyOnce(name, out);
    System.out.printf(
        Locale.ROOT,
        "%s: killed %s (%s) at step %d of %d; replaced by %s; running again after %.1f s,"
            + " next checkpoint after %.1f s; %d steps in all%n",
        name,
        victim,
        vertex,
        stepsAtKill,
        STEPS,
        replacement,
        running,
        checkpointed,
        counts.steps);
    assertTrue(stepsAtKill < STEPS, "the kill came before the end");
    assertSameWeightsAsBaseline(name, out);
  }

  private record Counts(
      int produced, int trained, int duplicates, int lost, int steps, double samplesPerSecond) {}

  /** Every (epoch, key) produced was trained exactly once; steps 1..N each once. */
  private static Counts assertExactlyOnce(String name, Path out) throws IOException {
    List<String> rows =
        Files.readAllLines(out.resolve(TrainerSinkOptions.TRAINED_KEYS_FILE)).stream()
            .skip(1)
            .map(l -> l.substring(l.indexOf(',') + 1))
            .toList();
    Set<String> trained = new HashSet<>(rows);
    Set<String> produced = new HashSet<>();
    for (int pass = 0; pass < PASSES; pass++) {
      for (int i = 0; i < IMAGES; i++) {
        produced.add(pass + "," + records.get(i).getKey());
      }
    }
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

  private static void assertSameWeightsAsBaseline(String name, Path out) throws IOException {
    double distance = relativeDistance(weights(baseline), weights(out));
    double tolerance = oneStepMove / 10;
    System.out.printf(
        Locale.ROOT,
        "%s: weights differ from the uninterrupted run's by %.3e (tolerance %.3e, a tenth of one"
            + " step's %.3e)%n",
        name,
        distance,
        tolerance,
        oneStepMove);
    assertFalse(Double.isNaN(tolerance), "the baseline test ran first");
    assertTrue(distance <= tolerance, name + ": weights differ by " + distance);
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
    o.checkpointIntervalMs = 1000;
    o.failOnceAtSample = failAt;
    o.passes = 1;
    o.model = new ModelOptions();
    o.model.view = new ViewOptions();
    o.model.view.imageSize = IMAGE_SIZE;
    o.model.view.patchSize = PATCH_SIZE;
    o.model.preset = ModelOptions.Preset.TINY;
    o.model.batchSize = BATCH;
    o.model.lr = lr;
    o.model.minLr = 1e-5;
    o.model.warmupSteps = 2;
    // A schedule longer than the run keeps the rate near its peak, so one step moves the weights
    // as much as a lost or repeated step would mid-run (at the cosine's end it moves them ~4e-5).
    o.model.totalSteps = 10 * STEPS;
    o.model.weightDecay = 0.05;
    o.model.clipGrad = 3.0;
    o.model.seed = 7;
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
    Run run = new Run(client, client.getJobID().toHexString());
    run.awaitRunning();
    return run;
  }

  /** A submitted job. */
  private record Run(JobClient client, String id) {
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

  private static void publish(String topic) throws Exception {
    AvroCodec<ImageRecord> codec = new AvroCodec<>(ImageRecord.class);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(new KafkaSettings(cluster.bootstrapServers()).producerProperties())) {
      for (ImageRecord r : records) {
        producer.send(
            new ProducerRecord<>(
                topic, r.getKey().getBytes(StandardCharsets.UTF_8), codec.encode(r)));
      }
      producer.flush();
    }
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
