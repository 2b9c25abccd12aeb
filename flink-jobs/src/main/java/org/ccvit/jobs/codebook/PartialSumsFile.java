/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.codebook;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.ccvit.tokenizer.kmeans.PartialSums;

/**
 * {@link PartialSums} as a file (k and dim as int32, the objective, the counts, then the sums; all
 * little-endian), so that 50 MB of sums (K=8192, D=768) travel from a subtask to the driver through
 * the work directory rather than through Flink's collect channel.
 */
public final class PartialSumsFile {
  private static final int HEADER_BYTES = 4 + 4 + 8;

  private PartialSumsFile() {}

  public static void write(Path file, PartialSums sums) throws IOException {
    ByteBuffer buffer =
        ByteBuffer.allocate(Math.toIntExact(HEADER_BYTES + 8L * sums.k + 8L * sums.sums.length))
            .order(ByteOrder.LITTLE_ENDIAN);
    buffer.putInt(sums.k).putInt(sums.dim).putDouble(sums.objective);
    buffer.asLongBuffer().put(sums.counts);
    buffer.position(buffer.position() + 8 * sums.k);
    buffer.asDoubleBuffer().put(sums.sums);
    buffer.rewind();
    try (FileChannel out =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
    }
  }

  /**
   * @throws IOException when the file is not partial sums for the expected k and dim
   */
  public static PartialSums read(Path file, int k, int dim) throws IOException {
    long expected = HEADER_BYTES + 8L * k + 8L * k * dim;
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      if (in.size() != expected) {
        throw new IOException(
            file
                + " has "
                + in.size()
                + " bytes, expected "
                + expected
                + " for partial sums of k="
                + k
                + ", dim="
                + dim);
      }
      ByteBuffer buffer = ByteBuffer.allocate((int) expected).order(ByteOrder.LITTLE_ENDIAN);
      while (buffer.hasRemaining()) {
        if (in.read(buffer) < 0) {
          throw new IOException(file + " ended early");
        }
      }
      buffer.flip();
      int fileK = buffer.getInt();
      int fileDim = buffer.getInt();
      if (fileK != k || fileDim != dim) {
        throw new IOException(
            file
                + " holds partial sums of k="
                + fileK
                + ", dim="
                + fileDim
                + ", expected k="
                + k
                + ", dim="
                + dim);
      }
      double objective = buffer.getDouble();
      long[] counts = new long[k];
      buffer.asLongBuffer().get(counts);
      buffer.position(buffer.position() + 8 * k);
      double[] sums = new double[k * dim];
      buffer.asDoubleBuffer().get(sums);
      return new PartialSums(k, dim, sums, counts, objective);
    }
  }
}
