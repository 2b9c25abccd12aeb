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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.ccvit.schemas.TrainerInput;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.trainer.ShuffleConfig;
import org.ccvit.trainer.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer's timer that bounds how long the shuffle buffer holds samples from a slow source. */
class ShuffleWaitTest {

  @TempDir Path dir;

  /** Processing time that only moves when the test says so. */
  private static final class ManualTime implements ProcessingTimeService {
    final TreeMap<Long, ProcessingTimeCallback> timers = new TreeMap<>();
    long now;

    @Override
    public long getCurrentProcessingTime() {
      return now;
    }

    @Override
    public ScheduledFuture<?> registerTimer(long time, ProcessingTimeCallback callback) {
      timers.put(time, callback);
      return null;
    }

    /** Advances to the next timer and fires it. */
    void fireNext() throws Exception {
      Map.Entry<Long, ProcessingTimeCallback> next = timers.pollFirstEntry();
      now = next.getKey();
      next.getValue().onProcessingTime(now);
    }
  }

  @Test
  void aSlowSourceGetsItsSamplesTrainedAfterTheWaitBound() throws Exception {
    Codebook v1 = randomCodebook(1);
    List<TrainingSample> stream = samples(v1, 4, 3, v1.version());
    TrainerSinkOptions options =
        new TrainerSinkOptions(TINY, TrainConfig.original(4, 20, 2), dir.toString())
            .withShuffle(new ShuffleConfig(16, 1000));
    ManualTime time = new ManualTime();
    try (TrainerWriter writer =
        new TrainerWriter(options, new UnregisteredMetricsGroup(), List.of())) {
      writer.boundShuffleWait(time);
      assertEquals(List.of(1000L), List.copyOf(time.timers.keySet()));
      writer.write(TrainerInput.newBuilder().setCodebook(v1.toRecord(Map.of())).build(), null);
      for (TrainingSample s : stream.subList(0, 3)) {
        writer.write(TrainerInput.newBuilder().setSample(s).build(), null);
      }
      time.fireNext();
      assertEquals(List.of(2000L), List.copyOf(time.timers.keySet()), "the check repeats");
      writer.write(TrainerInput.newBuilder().setSample(stream.get(3)).build(), null);
      assertEquals(1, Files.readAllLines(dir.resolve("metrics.csv")).size(), "no step yet");
      time.fireNext();
      // 16 samples would fill the buffer; a source that sent 4 still gets a step.
      assertEquals(2, Files.readAllLines(dir.resolve("metrics.csv")).size(), "header and step 1");
    }
  }
}
