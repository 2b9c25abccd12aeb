/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.flink;

import static org.ccvit.trainer.TinySamples.TINY;
import static org.ccvit.trainer.TinySamples.randomCodebook;
import static org.ccvit.trainer.TinySamples.samples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.trainer.TrainConfig;
import org.ccvit.trainer.TrainedKeysCsv;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerWriterTest {

  @TempDir Path dir;
  private TrainerSinkOptions options;
  private String version;

  @BeforeEach
  void codebookFile() {
    Path npy = dir.resolve("centroids.npy");
    randomCodebook(1).writeNpy(npy);
    version = Codebook.readNpy(npy, TINY.patchSize(), TINY.inChans()).version();
    options =
        new TrainerSinkOptions(
            TINY, TrainConfig.original(4, 20, 2), npy.toString(), dir.resolve("out").toString());
  }

  private TrainerWriter writer(TrainerWriterState restored) throws IOException {
    return new TrainerWriter(options, new UnregisteredMetricsGroup(), restored);
  }

  private List<TrainingSample> samplesOf(long seed, int count) {
    Codebook codebook = Codebook.readNpy(Path.of(options.codebookPath()), 4, 3);
    return samples(codebook, count, seed, version);
  }

  @Test
  void samplesOfAnotherCodebookVersionAreCountedAndNeverTrained() throws Exception {
    Codebook codebook = Codebook.readNpy(Path.of(options.codebookPath()), 4, 3);
    try (TrainerWriter writer = writer(null)) {
      writer.write(samples(codebook, 1, 9, "stale-version").get(0), null);
      for (TrainingSample s : samplesOf(3, 4)) {
        writer.write(s, null);
      }
      assertEquals(1, writer.refusedCount());
    }
    List<String> keys = Files.readAllLines(options.output(TrainerSinkOptions.TRAINED_KEYS_FILE));
    assertEquals(5, keys.size(), "header and the 4 accepted samples of step 1: " + keys);
    assertTrue(keys.stream().skip(1).allMatch(l -> l.startsWith("1,0,synthetic/")), "" + keys);
  }

  @Test
  void restoredWriterContinuesFromTheSnapshotWithItsPendingSamples() throws Exception {
    List<TrainingSample> stream = samplesOf(5, 12);
    TrainerWriterState snapshot;
    List<String> uninterruptedMetrics;
    List<String> uninterruptedKeys;
    try (TrainerWriter writer = writer(null)) {
      for (TrainingSample s : stream.subList(0, 6)) {
        writer.write(s, null);
      }
      snapshot = writer.snapshotState(7).get(0);
      for (TrainingSample s : stream.subList(6, 12)) {
        writer.write(s, null);
      }
      writer.flush(true);
    }
    uninterruptedMetrics = lossColumns();
    uninterruptedKeys = Files.readAllLines(options.output(TrainerSinkOptions.TRAINED_KEYS_FILE));
    assertEquals(4, uninterruptedMetrics.size(), "header and 3 steps");

    TrainerWriterState.Serializer serializer = new TrainerWriterState.Serializer();
    TrainerWriterState restored =
        serializer.deserialize(serializer.getVersion(), serializer.serialize(snapshot));
    assertEquals(1, restored.step());
    assertEquals(stream.subList(4, 6), restored.pending());
    assertEquals(options.checkpointDir(7).toString(), restored.stateDir());
    try (TrainerWriter writer = writer(restored)) {
      assertEquals(2, lossColumns().size(), "steps after the snapshot are dropped from the log");
      for (TrainingSample s : stream.subList(6, 12)) {
        writer.write(s, null);
      }
      writer.flush(true);
    }
    assertEquals(uninterruptedMetrics, lossColumns());
    assertEquals(
        uninterruptedKeys,
        Files.readAllLines(options.output(TrainerSinkOptions.TRAINED_KEYS_FILE)));
    assertEquals(TrainedKeysCsv.HEADER, uninterruptedKeys.get(0));
  }

  @Test
  void restoreRefusesAMissingStateDirectory() {
    TrainerWriterState gone =
        new TrainerWriterState(3, dir.resolve("nowhere").toString(), List.of());
    IOException e = assertThrows(IOException.class, () -> writer(gone));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  /** metrics.csv without the timing column, which differs between runs. */
  private List<String> lossColumns() throws IOException {
    return Files.readAllLines(options.output(TrainerSinkOptions.METRICS_FILE)).stream()
        .map(l -> l.replaceAll(",[^,]*,[^,]*$", ""))
        .toList();
  }
}
