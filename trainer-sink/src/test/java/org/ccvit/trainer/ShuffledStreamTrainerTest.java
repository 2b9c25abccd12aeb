/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import static org.ccvit.trainer.TinySamples.TINY;
import static org.ccvit.trainer.TinySamples.randomCodebook;
import static org.ccvit.trainer.TinySamples.samples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.junit.jupiter.api.Test;

/** The shuffle buffer inside the stream trainer: batches, codebook switches, waits, snapshots. */
class ShuffledStreamTrainerTest {

  private static final TrainConfig TRAIN = TrainConfig.original(4, 20, 2);
  private final Codebook v1 = randomCodebook(1);
  private final Codebook v2 = randomCodebook(2);

  /** Each trained batch as "version:key" strings, and the dropped samples. */
  private static final class Recorder implements StreamTrainer.Events {
    final List<List<String>> batches = new ArrayList<>();
    final List<String> dropped = new ArrayList<>();

    @Override
    public void trained(StepMetrics metrics, List<TrainingSample> batch, String version) {
      batches.add(batch.stream().map(s -> version + ":" + s.getKey()).toList());
    }

    @Override
    public void dropped(TrainingSample sample, StreamTrainer.Drop why, String reason) {
      dropped.add(why + " " + sample.getKey());
    }
  }

  private static StreamTrainer trainer(int buffer, Recorder events) {
    return new StreamTrainer(TINY, TRAIN, new ShuffleConfig(buffer, 0), events);
  }

  @Test
  void aCodebookSwitchDrainsTheBufferIntoTheOldVersionsLastBatches() throws IOException {
    Recorder events = new Recorder();
    try (StreamTrainer trainer = trainer(4, events)) {
      trainer.codebook(v1);
      for (TrainingSample s : samples(v1, 6, 3, v1.version())) {
        trainer.sample(s);
      }
      assertEquals(0, trainer.step(), "4 held, 2 released: no full batch yet");
      trainer.codebook(v2);
      trainer.sample(samples(v2, 1, 4, v2.version()).get(0));
      assertEquals(2, trainer.step(), "the 6 samples of v1 as a full and a short batch");
      assertEquals(1, trainer.buffered(), "the v2 sample waits in the buffer");
      trainer.finish();
    }
    assertEquals(List.of(4, 2, 1), events.batches.stream().map(List::size).toList());
    assertEquals(6, events.batches.subList(0, 2).stream().flatMap(List::stream).distinct().count());
    events.batches.subList(0, 2).forEach(b -> b.forEach(k -> assertEquals("random-1", v(k))));
    assertEquals("random-2", v(events.batches.get(2).get(0)));
    assertEquals(List.of(), events.dropped, "nothing stale: the buffer held only the old version");
  }

  private static String v(String versionAndKey) {
    return versionAndKey.substring(0, versionAndKey.indexOf(':'));
  }

  @Test
  void aBufferThatReleasedNothingSinceTheLastCheckReleasesWhatTheBatchLacks() throws IOException {
    Recorder events = new Recorder();
    List<TrainingSample> stream = samples(v1, 13, 5, v1.version());
    try (StreamTrainer trainer = trainer(8, events)) {
      trainer.codebook(v1);
      for (TrainingSample s : stream.subList(0, 3)) {
        trainer.sample(s);
      }
      assertEquals(3, trainer.releaseIfIdle(), "all it holds, less than a batch");
      assertEquals(0, trainer.step());
      trainer.sample(stream.get(3));
      assertEquals(1, trainer.releaseIfIdle(), "the one sample the batch lacked");
      assertEquals(1, trainer.step());
      for (TrainingSample s : stream.subList(4, 13)) {
        trainer.sample(s);
      }
      assertEquals(1, trainer.pending(), "8 held, 1 released by an arrival at a full buffer");
      assertEquals(0, trainer.releaseIfIdle(), "something left the buffer since the last check");
      assertEquals(3, trainer.releaseIfIdle(), "nothing since: the batch is completed");
      assertEquals(2, trainer.step());
      assertEquals(5, trainer.buffered());
    }
  }

  @Test
  void aRestoredSnapshotTrainsTheSameBatchesAsTheUninterruptedRun() throws IOException {
    List<TrainingSample> stream = samples(v1, 22, 6, v1.version());
    Recorder uninterrupted = new Recorder();
    try (StreamTrainer trainer = trainer(8, uninterrupted)) {
      trainer.codebook(v1);
      for (TrainingSample s : stream) {
        trainer.sample(s);
      }
      trainer.finish();
    }
    Recorder first = new Recorder();
    ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
    try (StreamTrainer trainer = trainer(8, first)) {
      trainer.codebook(v1);
      for (TrainingSample s : stream.subList(0, 14)) {
        trainer.sample(s);
      }
      assertEquals(8, trainer.buffered());
      trainer.writeSnapshot(snapshot);
    }
    Recorder resumed = new Recorder();
    try (StreamTrainer trainer = trainer(8, resumed)) {
      trainer.readSnapshot(new ByteArrayInputStream(snapshot.toByteArray()), "test snapshot");
      assertEquals(8, trainer.buffered());
      for (TrainingSample s : stream.subList(14, 22)) {
        trainer.sample(s);
      }
      trainer.finish();
    }
    List<List<String>> batches = new ArrayList<>(first.batches);
    batches.addAll(resumed.batches);
    assertEquals(uninterrupted.batches, batches);
    List<String> arrivalOrder = stream.stream().map(s -> v1.version() + ":" + s.getKey()).toList();
    assertNotEquals(
        arrivalOrder,
        uninterrupted.batches.stream().flatMap(List::stream).toList(),
        "shuffled, not in arrival order");
  }
}
