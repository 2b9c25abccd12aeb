/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.flink;

import static org.ccvit.trainer.TinySamples.TINY;
import static org.ccvit.trainer.TinySamples.randomCodebook;
import static org.ccvit.trainer.TinySamples.samples;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.ccvit.schemas.TrainerInput;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.SharedData;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.trainer.MetricsCsv;
import org.ccvit.trainer.TrainConfig;
import org.ccvit.trainer.TrainedKeysCsv;
import org.ccvit.trainer.eval.KnnMonitor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerWriterTest {

  @TempDir Path dir;
  private TrainerSinkOptions options;
  private final Codebook v1 = randomCodebook(1);
  private final Codebook v2 = randomCodebook(2);

  @BeforeEach
  void options() {
    options =
        new TrainerSinkOptions(TINY, TrainConfig.original(4, 20, 2), dir.resolve("out").toString());
  }

  private TrainerWriter writer(List<TrainerStatePart> restored) throws IOException {
    return new TrainerWriter(options, new UnregisteredMetricsGroup(), restored);
  }

  private static TrainerInput in(Codebook codebook) {
    return TrainerInput.newBuilder().setCodebook(codebook.toRecord(Map.of())).build();
  }

  private static TrainerInput in(TrainingSample sample) {
    return TrainerInput.newBuilder().setSample(sample).build();
  }

  private static void writeAll(TrainerWriter writer, List<TrainingSample> samples)
      throws IOException {
    for (TrainingSample s : samples) {
      writer.write(in(s), null);
    }
  }

  @Test
  void aNewVersionEndsTheOldOneAtABatchBoundaryAndItsLateSamplesAreDropped() throws Exception {
    try (TrainerWriter writer = writer(List.of())) {
      writer.write(in(v1), null);
      writeAll(writer, samples(v1, 5, 3, v1.version()));
      writer.write(in(v2), null);
      List<TrainingSample> next = samples(v2, 4, 4, v2.version());
      writer.write(in(next.get(0)), null);
      // In flight from a tokenizer that had not switched yet.
      writer.write(in(samples(v1, 1, 5, v1.version()).get(0)), null);
      writeAll(writer, next.subList(1, 4));
      assertEquals(1, writer.staleCount());
      assertEquals(0, writer.refusedCount());
    }
    List<String[]> rows = metricsRows();
    assertEquals(3, rows.size(), "a full v1 batch, the short rest of v1, a v2 batch");
    assertEquals(List.of(v1.version(), v1.version(), v2.version()), column(rows, 10));
    assertEquals(List.of("4", "1", "4"), column(rows, 8), "batch sizes");
    assertEquals(List.of("0", "0", "1"), column(rows, 11), "stale samples so far");
    for (String busy : column(rows, 13)) {
      double share = Double.parseDouble(busy);
      assertTrue(share > 0 && share <= 1, "busy share " + busy);
    }
  }

  @Test
  void aSampleThatOvertookItsCodebookWaitsForIt() throws Exception {
    List<TrainingSample> batch = samples(v1, 4, 3, v1.version());
    try (TrainerWriter writer = writer(List.of())) {
      writeAll(writer, batch.subList(0, 2));
      writer.write(in(v1), null);
      writeAll(writer, batch.subList(2, 4));
      assertEquals(0, writer.refusedCount());
    }
    List<String> keys = Files.readAllLines(options.output(TrainerSinkOptions.TRAINED_KEYS_FILE));
    assertEquals(5, keys.size(), "header and one step of 4: " + keys);
    for (int i = 0; i < 4; i++) {
      assertEquals("1,0," + batch.get(i).getKey(), keys.get(i + 1), "in arrival order");
    }
  }

  @Test
  void samplesThatDoNotFitTheModelAreCountedAndNeverTrained() throws Exception {
    TrainingSample small =
        TrainingSample.newBuilder(samples(v1, 1, 9, v1.version()).get(0))
            .setImageSize(16)
            .setKey("small")
            .build();
    try (TrainerWriter writer = writer(List.of())) {
      writer.write(in(v1), null);
      writer.write(in(small), null);
      writeAll(writer, samples(v1, 4, 3, v1.version()));
      assertEquals(1, writer.refusedCount());
    }
    List<String> keys = Files.readAllLines(options.output(TrainerSinkOptions.TRAINED_KEYS_FILE));
    assertEquals(5, keys.size(), "header and the 4 accepted samples of step 1: " + keys);
    assertTrue(keys.stream().skip(1).allMatch(l -> l.startsWith("1,0,synthetic/")), "" + keys);
  }

  @Test
  void restoredWriterContinuesFromTheSnapshotWithItsPendingSamplesAndCodebooks() throws Exception {
    List<TrainingSample> first = samples(v1, 6, 5, v1.version());
    List<TrainingSample> second = samples(v2, 6, 6, v2.version());
    List<TrainerStatePart> snapshot;
    List<String> uninterruptedMetrics;
    List<String> uninterruptedKeys;
    try (TrainerWriter writer = writer(List.of())) {
      writer.write(in(v1), null);
      writeAll(writer, first);
      // v2 has arrived but no sample uses it yet: the snapshot must keep it.
      writer.write(in(v2), null);
      snapshot = writer.snapshotState(7);
      writeAll(writer, second);
      writer.flush(true);
    }
    uninterruptedMetrics = lossColumns();
    uninterruptedKeys = Files.readAllLines(options.output(TrainerSinkOptions.TRAINED_KEYS_FILE));
    assertEquals(5, uninterruptedMetrics.size(), "header, 1 + 1 steps of v1, 1 + 1 of v2");

    TrainerStatePart.Serializer serializer = new TrainerStatePart.Serializer();
    List<TrainerStatePart> restored = new ArrayList<>();
    for (TrainerStatePart p : snapshot) {
      restored.add(serializer.deserialize(serializer.getVersion(), serializer.serialize(p)));
    }
    try (TrainerWriter writer = writer(restored)) {
      assertEquals(2, lossColumns().size(), "steps after the snapshot are dropped from the log");
      assertEquals("1", weightsStep(), "the published weights are those of the restored step");
      writeAll(writer, second);
      writer.flush(true);
    }
    assertEquals(uninterruptedMetrics, lossColumns());
    assertEquals(
        uninterruptedKeys,
        Files.readAllLines(options.output(TrainerSinkOptions.TRAINED_KEYS_FILE)));
    assertEquals(TrainedKeysCsv.HEADER, uninterruptedKeys.get(0));
  }

  @Test
  void aLateCommitOfAnOlderCheckpointKeepsTheFinalWeights() throws Exception {
    Path weights = options.output(TrainerSinkOptions.WEIGHTS_FILE);
    TrainerCommittable older;
    try (TrainerWriter writer = writer(List.of())) {
      writer.write(in(v1), null);
      writeAll(writer, samples(v1, 4, 8, v1.version()));
      long step = writer.prepareCommit().iterator().next();
      writer.snapshotState(3);
      older = new TrainerCommittable(3, step, options.pendingWeights(3).toString());
      writeAll(writer, samples(v1, 4, 9, v1.version()));
      writer.flush(true);
      assertTrue(writer.prepareCommit().isEmpty(), "nothing to commit after the end of input");
    }
    byte[] finalWeights = Files.readAllBytes(weights);
    assertEquals("2", weightsStep());
    // Checkpoint 3 completes only now, after the end of input published the weights of step 2.
    new TrainerCommitter(options).commit(List.of(new Request(older)));
    assertArrayEquals(finalWeights, Files.readAllBytes(weights), "the final weights were replaced");
    assertEquals("2", weightsStep());
    assertFalse(Files.exists(options.pendingWeights(3)), "the late commit's pending file is gone");
  }

  @Test
  void aCompletedCheckpointPublishesItsWeightsAndCollectsPendingFilesOfFailedOnes()
      throws Exception {
    TrainerCommittable completed;
    try (TrainerWriter writer = writer(List.of())) {
      writer.write(in(v1), null);
      writeAll(writer, samples(v1, 4, 8, v1.version()));
      writer.prepareCommit();
      // Checkpoint 4 will fail: its pending weights are never committed.
      writer.snapshotState(4);
      writeAll(writer, samples(v1, 4, 9, v1.version()));
      long step = writer.prepareCommit().iterator().next();
      writer.snapshotState(5);
      assertTrue(writer.prepareCommit().isEmpty(), "no new step, nothing new to publish");
      writer.snapshotState(6);
      completed = new TrainerCommittable(5, step, options.pendingWeights(5).toString());
    }
    assertEquals("0", weightsStep(), "the start publishes the initial weights");
    assertTrue(Files.exists(options.pendingWeights(4)));
    new TrainerCommitter(options).commit(List.of(new Request(completed)));
    assertEquals("2", weightsStep());
    assertFalse(Files.exists(options.pendingWeights(4)));
    assertFalse(Files.exists(options.pendingWeights(6)), "nothing was pending for checkpoint 6");
  }

  @Test
  void restoreRefusesIncompleteState() throws Exception {
    List<TrainerStatePart> parts;
    try (TrainerWriter writer = writer(List.of())) {
      parts = writer.snapshotState(1);
    }
    TrainerStatePart only = parts.get(0);
    List<TrainerStatePart> broken = List.of(new TrainerStatePart(0, 2, only.bytes()));
    IOException e = assertThrows(IOException.class, () -> writer(broken));
    assertTrue(e.getMessage().contains("do not form one snapshot"), e.getMessage());
    IOException old =
        assertThrows(
            IOException.class, () -> new TrainerStatePart.Serializer().deserialize(1, new byte[8]));
    assertTrue(old.getMessage().contains("without restoring"), old.getMessage());
  }

  private String weightsStep() throws IOException {
    return Files.readString(options.output(TrainerSinkOptions.WEIGHTS_STEP_FILE));
  }

  @Test
  void theKnnMonitorFillsItsColumnOnTheStepsItIsDue() throws Exception {
    String cifar = SharedData.dataset("cifar10/test-00000.tar.gz").toString();
    options =
        new TrainerSinkOptions(TINY, TrainConfig.original(4, 20, 2), dir.resolve("out").toString())
            .withMonitor(
                new KnnMonitor.Settings(List.of(cifar), List.of(cifar), 24, 12, 2, 5, 0.07));
    try (TrainerWriter writer = writer(List.of())) {
      writer.write(in(v1), null);
      writeAll(writer, samples(v1, 12, 3, v1.version()));
    }
    assertEquals(
        MetricsCsv.HEADER,
        Files.readAllLines(options.output(TrainerSinkOptions.METRICS_FILE)).get(0));
    assertTrue(MetricsCsv.HEADER.endsWith(",knn_top1,busy_share"));
    List<String> knn = column(metricsRows(), 12);
    assertEquals("NaN", knn.get(0));
    assertEquals("NaN", knn.get(2));
    double top1 = Double.parseDouble(knn.get(1));
    // 12 test images: a multiple of 1/12, in percent.
    assertTrue(top1 >= 0 && top1 <= 100, knn.toString());
    assertEquals(0, Math.abs(top1 * 12 / 100 - Math.rint(top1 * 12 / 100)), 1e-3, knn.toString());
  }

  private List<String[]> metricsRows() throws IOException {
    return Files.readAllLines(options.output(TrainerSinkOptions.METRICS_FILE)).stream()
        .skip(1)
        .map(l -> l.split(","))
        .toList();
  }

  private static List<String> column(List<String[]> rows, int index) {
    return rows.stream().map(r -> r[index]).toList();
  }

  /** A commit request as Flink's committer operator makes one. */
  private record Request(TrainerCommittable committable)
      implements Committer.CommitRequest<TrainerCommittable> {
    @Override
    public TrainerCommittable getCommittable() {
      return committable;
    }

    @Override
    public int getNumberOfRetries() {
      return 0;
    }

    @Override
    public void signalFailedWithKnownReason(Throwable t) {
      throw new AssertionError(t);
    }

    @Override
    public void signalFailedWithUnknownReason(Throwable t) {
      throw new AssertionError(t);
    }

    @Override
    public void retryLater() {
      throw new AssertionError("retry");
    }

    @Override
    public void updateAndRetryLater(TrainerCommittable committable) {
      throw new AssertionError("retry");
    }

    @Override
    public void signalAlreadyCommitted() {}
  }

  /** metrics.csv without the timing columns, which differ between runs. */
  private List<String> lossColumns() throws IOException {
    return Files.readAllLines(options.output(TrainerSinkOptions.METRICS_FILE)).stream()
        // Up to batch_size: samples_per_sec depends on timing, the later columns on the run.
        .map(l -> l.replaceAll("(,[^,]*){5}$", ""))
        .toList();
  }
}
