/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.PrimitiveIterator;
import java.util.stream.LongStream;
import org.ccvit.schemas.AvroCodec;
import org.ccvit.schemas.TokenIds;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.PipelineStage;
import org.ccvit.tokenizer.StageTimes;
import org.junit.jupiter.api.Test;

class SampleWindowTest {

  private static final double EPS = 1e-12;

  @Test
  void windowSpansAllWorkersAndIsScaledForEachWorkersFirstSample() {
    // Worker A serializes at 10-11 and 20-21 ms, worker B at 15-16 and 30-31 ms.
    SampleWindow a = sampleAt(10, 11, 7).merge(sampleAt(20, 21, 7)).merge(SampleWindow.EMPTY);
    SampleWindow b = sampleAt(15, 16, 9).merge(sampleAt(30, 31, 9));
    SampleWindow run = a.merge(b);

    assertEquals(4, run.samples());
    assertEquals(8, run.bytesPerSample(), EPS);
    // 21 ms from the first start to the last end hold 4 - 2 samples' work: x 4/2.
    assertEquals(0.042, run.seconds(2), EPS);
    // The CPU clock runs at half the wall clock here.
    assertEquals(0.021, run.cpuSeconds(2), EPS);
    assertEquals(b.merge(a), run);
  }

  @Test
  void aWindowNeedsMoreSamplesThanWorkers() {
    SampleWindow two = sampleAt(0, 1, 1).merge(sampleAt(2, 3, 1));
    assertThrows(IllegalStateException.class, () -> two.seconds(2));
    assertEquals(3e-3 * 2, two.seconds(1), EPS);
  }

  @Test
  void serializerMarksTheEncodingBetweenItsClockReadings() {
    PrimitiveIterator.OfLong wall = LongStream.of(1_000, 4_000).iterator();
    PrimitiveIterator.OfLong cpu = LongStream.of(50, 80).iterator();
    StageTimes stages = new StageTimes();
    TimedSerializer serializer = new TimedSerializer(wall::nextLong, cpu::nextLong, stages);
    TrainingSample sample = sample();

    TimedSerializer.Serialized out = serializer.serialize(sample);

    byte[] expected = new AvroCodec<>(TrainingSample.class).encode(sample);
    assertEquals(ByteBuffer.wrap(expected), ByteBuffer.wrap(out.bytes()));
    assertEquals(SampleWindow.ofSample(1_000, 4_000, 50, 80, expected.length), out.window());
    assertEquals(3.0, stages.meanMicros(PipelineStage.SERIALIZE), EPS);
  }

  private static SampleWindow sampleAt(long startMillis, long endMillis, long bytes) {
    long start = startMillis * 1_000_000;
    long end = endMillis * 1_000_000;
    return SampleWindow.ofSample(start, end, start / 2, end / 2, bytes);
  }

  private static TrainingSample sample() {
    return TrainingSample.newBuilder()
        .setKey("k")
        .setEpoch(0)
        .setCodebookVersion("v")
        .setImageSize(2)
        .setChannels(3)
        .setPixels(ByteBuffer.wrap(new byte[12]))
        .setTokenIds(TokenIds.pack(new int[] {1, 2, 3, 4}))
        .setMaskedPositions(List.of(0))
        .setReplacedPositions(List.of())
        .build();
  }
}
