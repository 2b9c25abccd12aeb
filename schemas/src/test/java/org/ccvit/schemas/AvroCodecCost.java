/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.schemas;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * What single-object encoding costs against the plain Avro binary of the release before: bytes per
 * record and encode/decode time, in one process, best of interleaved rounds (the machine is
 * shared). Arguments: image files to wrap in {@code ImageRecord}s; a 224 px {@code TrainingSample}
 * and a {@code RejectRecord} are measured too. How to run it: BENCHMARKS.md.
 */
public final class AvroCodecCost {

  private static final int ROUNDS = 7;
  private static final long ROUND_NANOS = 300_000_000L;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private AvroCodecCost() {}

  public static void main(String[] args) throws IOException {
    List<Case<?>> cases = new ArrayList<>();
    for (String file : args) {
      Path path = Path.of(file);
      ImageRecord image =
          ImageRecord.newBuilder()
              .setKey(path.getFileName().toString())
              .setImage(ByteBuffer.wrap(Files.readAllBytes(path)))
              .setFormat("jpg")
              .setLabel(3)
              .setSource(file)
              .build();
      cases.add(new Case<>("ImageRecord " + path.getFileName(), ImageRecord.class, image));
    }
    cases.add(new Case<>("TrainingSample 224 px", TrainingSample.class, sample224()));
    cases.add(
        new Case<>(
            "RejectRecord",
            RejectRecord.class,
            RejectRecord.newBuilder()
                .setKey("val_000042")
                .setStage("decode")
                .setReason("truncated JPEG")
                .setSource("images-0@42")
                .build()));
    System.out.println(
        "record | plain bytes | single-object bytes | encode plain / SOE (CPU us) | decode plain / SOE (CPU us)");
    for (Case<?> c : cases) {
      System.out.println(c.measure());
    }
  }

  private static TrainingSample sample224() {
    SplittableRandom rng = new SplittableRandom(1);
    byte[] pixels = new byte[3 * 224 * 224];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) rng.nextInt(256);
    }
    byte[] ids = new byte[196 * 2];
    for (int i = 0; i < ids.length; i += 2) {
      ids[i] = (byte) rng.nextInt(256);
      ids[i + 1] = (byte) rng.nextInt(32);
    }
    List<Integer> masked = new ArrayList<>();
    List<Integer> replaced = new ArrayList<>();
    for (int i = 0; i < 95; i++) {
      (i < 75 ? masked : replaced).add(i * 2);
    }
    return TrainingSample.newBuilder()
        .setKey("val_000042")
        .setEpoch(3)
        .setCodebookVersion("k8192-0123456789abcdef")
        .setImageSize(224)
        .setChannels(3)
        .setPixels(ByteBuffer.wrap(pixels))
        .setTokenIds(ByteBuffer.wrap(ids))
        .setMaskedPositions(masked)
        .setReplacedPositions(replaced)
        .build();
  }

  /** One record measured both ways. */
  private record Case<T extends SpecificRecord>(String name, Class<T> type, T record) {

    String measure() throws IOException {
      SpecificDatumWriter<T> writer = new SpecificDatumWriter<>(type);
      SpecificDatumReader<T> reader = new SpecificDatumReader<>(type);
      AvroCodec<T> codec = new AvroCodec<>(type);
      byte[] plain = PlainAvro.encode(writer, record);
      byte[] soe = codec.encode(record);
      if (!codec.decode(soe).equals(record) || !codec.decode(plain).equals(record)) {
        throw new IllegalStateException(name + " does not survive the round trip");
      }
      double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
      for (int round = 0; round < ROUNDS; round++) {
        best[0] = Math.min(best[0], timePerCall(() -> PlainAvro.encode(writer, record)));
        best[1] = Math.min(best[1], timePerCall(() -> codec.encode(record)));
        best[2] = Math.min(best[2], timePerCall(() -> read(reader, plain)));
        best[3] = Math.min(best[3], timePerCall(() -> codec.decode(soe)));
      }
      return String.format(
          Locale.ROOT,
          "%s | %d | %d (+%d) | %.2f / %.2f | %.2f / %.2f",
          name,
          plain.length,
          soe.length,
          soe.length - plain.length,
          best[0] / 1e3,
          best[1] / 1e3,
          best[2] / 1e3,
          best[3] / 1e3);
    }
  }

  private interface Call {
    Object run() throws IOException;
  }

  /**
   * CPU nanoseconds of this thread per call, over about one round's CPU time: on a shared machine
   * the thread's CPU time moves far less than wall time.
   */
  private static double timePerCall(Call call) throws IOException {
    long calls = 0;
    long start = THREADS.getCurrentThreadCpuTime();
    long end;
    Object sink = null;
    do {
      for (int i = 0; i < 64; i++) {
        sink = call.run();
      }
      calls += 64;
      end = THREADS.getCurrentThreadCpuTime();
    } while (end - start < ROUND_NANOS);
    if (sink == null) {
      throw new IllegalStateException("nothing produced");
    }
    return (double) (end - start) / calls;
  }

  private static <T> T read(SpecificDatumReader<T> reader, byte[] bytes) throws IOException {
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
    return reader.read(null, decoder);
  }
}
