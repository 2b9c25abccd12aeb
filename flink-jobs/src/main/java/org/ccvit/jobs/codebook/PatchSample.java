/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.codebook;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Points kept in files instead of memory: float32 little-endian rows of {@code dim} values, spread
 * over segments of one or more files, and read in one fixed global order (segment by segment). A
 * sample is a small serializable description, so every Flink subtask that sees the files (a local
 * or shared work directory) can read its share of the rows.
 */
public final class PatchSample implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Rows at most read with one call, to bound the temporary buffer (8 MB for D=768). */
  private static final int READ_ROWS = 2730;

  /**
   * A run of consecutive rows in one file.
   *
   * @param file absolute path of a float32 little-endian file
   * @param firstRow the run's first row in the file
   * @param rows length of the run
   */
  public record Segment(String file, long firstRow, int rows) implements Serializable {
    public Segment {
      if (firstRow < 0 || rows < 0) {
        throw new IllegalArgumentException(
            "segment of "
                + file
                + " needs firstRow >= 0 and rows >= 0, got "
                + firstRow
                + ", "
                + rows);
      }
    }
  }

  private final int dim;
  private final List<Segment> segments;

  /** Global row at which each segment starts, plus the total at the end. */
  private final long[] starts;

  public PatchSample(int dim, List<Segment> segments) {
    if (dim < 1) {
      throw new IllegalArgumentException("dim must be >= 1, got " + dim);
    }
    this.dim = dim;
    this.segments = List.copyOf(segments);
    this.starts = new long[segments.size() + 1];
    for (int s = 0; s < segments.size(); s++) {
      starts[s + 1] = starts[s] + segments.get(s).rows();
    }
  }

  /** Writes [n, dim] points to one file and describes it as a sample. */
  public static PatchSample write(Path file, float[] points, int n, int dim) throws IOException {
    try (FileChannel out =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.allocate(READ_ROWS * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int row = 0; row < n; row += READ_ROWS) {
        int count = Math.min(READ_ROWS, n - row);
        buffer.clear();
        buffer.asFloatBuffer().put(points, row * dim, count * dim);
        buffer.limit(count * dim * 4);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
      }
    }
    return new PatchSample(dim, List.of(new Segment(file.toAbsolutePath().toString(), 0, n)));
  }

  public int dim() {
    return dim;
  }

  public long size() {
    return starts[segments.size()];
  }

  public List<Segment> segments() {
    return segments;
  }

  /** Rows [from, to) in global order, row-major. */
  public float[] rows(long from, long to) {
    checkRange(from, to);
    int count = Math.toIntExact(to - from);
    float[] out = new float[Math.multiplyExact(count, dim)];
    if (count == 0) {
      return out;
    }
    try (Readers readers = new Readers()) {
      int filled = 0;
      int s = segmentOf(from);
      while (filled < count) {
        Segment segment = segments.get(s);
        long inSegment = from + filled - starts[s];
        int take = (int) Math.min(count - filled, segment.rows() - inSegment);
        readers.read(segment.file(), segment.firstRow() + inSegment, take, out, filled);
        filled += take;
        s++;
      }
    }
    return out;
  }

  /**
   * The given global rows, in the given order, row-major; runs of consecutive rows are read at
   * once.
   */
  public float[] rows(int[] globalRows) {
    float[] out = new float[Math.multiplyExact(globalRows.length, dim)];
    try (Readers readers = new Readers()) {
      int r = 0;
      while (r < globalRows.length) {
        long row = globalRows[r];
        checkRange(row, row + 1);
        int s = segmentOf(row);
        Segment segment = segments.get(s);
        long end = starts[s + 1];
        int run = 1;
        while (r + run < globalRows.length
            && run < READ_ROWS
            && globalRows[r + run] == row + run
            && row + run < end) {
          run++;
        }
        readers.read(segment.file(), segment.firstRow() + row - starts[s], run, out, r);
        r += run;
      }
    }
    return out;
  }

  private void checkRange(long from, long to) {
    if (from < 0 || to < from || to > size()) {
      throw new IndexOutOfBoundsException(
          "rows [" + from + ", " + to + ") are outside the sample of " + size() + " rows");
    }
  }

  private int segmentOf(long row) {
    int s = Arrays.binarySearch(starts, row);
    if (s < 0) {
      return -s - 2;
    }
    // Skip empty segments that start at the same row.
    while (segments.get(s).rows() == 0) {
      s++;
    }
    return s;
  }

  /** Open files of one read, each opened once. */
  private final class Readers implements AutoCloseable {
    private final Map<String, FileChannel> open = new HashMap<>();
    private final ByteBuffer buffer =
        ByteBuffer.allocate(READ_ROWS * dim * 4).order(ByteOrder.LITTLE_ENDIAN);

    void read(String file, long firstRow, int rows, float[] out, int outRow) {
      try {
        FileChannel channel = open.get(file);
        if (channel == null) {
          channel = FileChannel.open(Path.of(file), StandardOpenOption.READ);
          open.put(file, channel);
        }
        for (int done = 0; done < rows; ) {
          int take = Math.min(READ_ROWS, rows - done);
          buffer.clear().limit(take * dim * 4);
          long position = (firstRow + done) * dim * 4L;
          while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
              throw new IOException(
                  file
                      + " ends before row "
                      + (firstRow + rows)
                      + " of "
                      + dim
                      + " float32 values");
            }
          }
          buffer.flip();
          buffer.asFloatBuffer().get(out, (outRow + done) * dim, take * dim);
          done += take;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read sample rows from " + file, e);
      }
    }

    @Override
    public void close() {
      open.values()
          .forEach(
              c -> {
                try {
                  c.close();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
