/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.flink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * One part of the trainer's snapshot (a {@link org.ccvit.trainer.TrainerSnapshot} archive) in
 * Flink's writer state. The archive lives inside Flink's checkpoints and savepoints, so they are
 * self-contained: Flink keeps, moves and deletes the trainer state with them. It is cut into parts
 * of at most {@value #PART_BYTES} bytes so that no single state element is huge (a ViT-B with its
 * AdamW moments is about 1 GB).
 *
 * @param index position of this part, from 0
 * @param count number of parts of the snapshot
 * @param bytes the part's bytes
 */
public record TrainerStatePart(int index, int count, byte[] bytes) {

  static final int PART_BYTES = 8 << 20;

  /** Something that writes a snapshot to a stream. */
  interface SnapshotWriter {
    void writeTo(OutputStream out) throws IOException;
  }

  /** The snapshot {@code writer} writes, in parts. */
  static List<TrainerStatePart> split(SnapshotWriter writer) throws IOException {
    List<byte[]> pieces = new ArrayList<>();
    try (OutputStream out = new PartsOutputStream(pieces)) {
      writer.writeTo(out);
    }
    List<TrainerStatePart> parts = new ArrayList<>(pieces.size());
    for (int i = 0; i < pieces.size(); i++) {
      parts.add(new TrainerStatePart(i, pieces.size(), pieces.get(i)));
    }
    return parts;
  }

  /** The snapshot the parts hold, in order; every part must be there exactly once. */
  static InputStream join(Collection<TrainerStatePart> parts) throws IOException {
    List<TrainerStatePart> sorted = new ArrayList<>(parts);
    sorted.sort(Comparator.comparingInt(TrainerStatePart::index));
    for (int i = 0; i < sorted.size(); i++) {
      TrainerStatePart p = sorted.get(i);
      if (p.index() != i || p.count() != sorted.size()) {
        throw new IOException(
            "the checkpoint holds "
                + sorted.size()
                + " trainer state parts that do not form one snapshot (part "
                + p.index()
                + " of "
                + p.count()
                + " at position "
                + i
                + "); the trainer runs with parallelism 1");
      }
    }
    List<InputStream> streams = new ArrayList<>();
    for (TrainerStatePart p : sorted) {
      streams.add(new ByteArrayInputStream(p.bytes()));
    }
    return new SequenceInputStream(Collections.enumeration(streams));
  }

  /** Collects what is written into pieces of {@link #PART_BYTES}. */
  private static final class PartsOutputStream extends OutputStream {
    private final List<byte[]> pieces;
    private byte[] current = new byte[PART_BYTES];
    private int used;

    PartsOutputStream(List<byte[]> pieces) {
      this.pieces = pieces;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      while (len > 0) {
        if (used == current.length) {
          pieces.add(current);
          current = new byte[PART_BYTES];
          used = 0;
        }
        int n = Math.min(len, current.length - used);
        System.arraycopy(b, off, current, used, n);
        used += n;
        off += n;
        len -= n;
      }
    }

    @Override
    public void close() {
      if (used > 0 || pieces.isEmpty()) {
        pieces.add(Arrays.copyOf(current, used));
      }
    }
  }

  /**
   * Binary form: version 2 = index, count, length, bytes. Version 1 (a reference to a directory
   * outside the checkpoint) is refused: that state was lost whenever its directory was.
   */
  static final class Serializer implements SimpleVersionedSerializer<TrainerStatePart> {
    @Override
    public int getVersion() {
      return 2;
    }

    @Override
    public byte[] serialize(TrainerStatePart part) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(12 + part.bytes().length);
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeInt(part.index());
        out.writeInt(part.count());
        out.writeInt(part.bytes().length);
        out.write(part.bytes());
      }
      return bytes.toByteArray();
    }

    @Override
    public TrainerStatePart deserialize(int version, byte[] serialized) throws IOException {
      if (version != 2) {
        throw new IOException(
            "trainer state version "
                + version
                + " is the old format that kept the state in a directory beside the checkpoint;"
                + " this version keeps it inside: start the job without restoring");
      }
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
        int index = in.readInt();
        int count = in.readInt();
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new TrainerStatePart(index, count, bytes);
      }
    }
  }
}
