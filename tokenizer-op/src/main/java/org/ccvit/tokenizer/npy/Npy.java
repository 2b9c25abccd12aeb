/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.npy;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes numpy {@code .npy} files (format versions 1.0, 2.0 and 3.0, C order, the
 * little-endian dtypes in {@link #SUPPORTED_DTYPES}).
 */
public final class Npy {
  /** The dtypes this reader accepts: float32/64, int32/64, uint8 and bool, little-endian. */
  public static final Set<String> SUPPORTED_DTYPES =
      Set.of("<f4", "<f8", "<i4", "<i8", "|u1", "|b1");

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /** Reads a whole {@code .npy} file. */
  public static NpyArray read(Path file) {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      return read(in, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read npy file " + file, e);
    }
  }

  /** Reads one array from the stream (the stream is left open, positioned after the array). */
  public static NpyArray read(InputStream in) {
    try {
      return read(in, "npy stream");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read npy stream", e);
    }
  }

  private static NpyArray read(InputStream in, String source) throws IOException {
    byte[] preamble = in.readNBytes(MAGIC.length + 2);
    if (preamble.length < MAGIC.length + 2) {
      throw new IllegalArgumentException(source + ": too short to be an npy file");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (preamble[i] != MAGIC[i]) {
        throw new IllegalArgumentException(
            source + ": not an npy file (expected the magic bytes \\x93NUMPY)");
      }
    }
    int major = preamble[MAGIC.length];
    int lengthBytes =
        switch (major) {
          case 1 -> 2;
          case 2, 3 -> 4;
          default ->
              throw new IllegalArgumentException(
                  source + ": npy format version " + major + " is not supported (1, 2 or 3)");
        };
    byte[] lengthField = in.readNBytes(lengthBytes);
    if (lengthField.length < lengthBytes) {
      throw new IllegalArgumentException(source + ": truncated npy header");
    }
    ByteBuffer lb = ByteBuffer.wrap(lengthField).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength = lengthBytes == 2 ? lb.getShort() & 0xffff : lb.getInt() & 0xffffffffL;
    if (headerLength > 1 << 20) {
      throw new IllegalArgumentException(
          source + ": implausible npy header length " + headerLength);
    }
    byte[] headerBytes = in.readNBytes((int) headerLength);
    if (headerBytes.length < headerLength) {
      throw new IllegalArgumentException(source + ": truncated npy header");
    }
    // Version 3.0 only differs from 2.0 by allowing UTF-8 in the header.
    String header =
        new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);

    String dtype = group(DESCR, header, "descr", source);
    if (group(FORTRAN, header, "fortran_order", source).equals("True")) {
      throw new IllegalArgumentException(
          source + ": fortran_order True is not supported; save the array in C order");
    }
    itemSize(dtype, source);
    int[] shape = parseShape(group(SHAPE, header, "shape", source), source);

    long count = 1;
    for (int d : shape) {
      count *= d;
    }
    long bytes = count * itemSize(dtype, source);
    if (bytes > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(
          source + ": array of " + bytes + " bytes is too large for one Java array");
    }
    byte[] data = in.readNBytes((int) bytes);
    if (data.length < bytes) {
      throw new IllegalArgumentException(
          source + ": truncated data, expected " + bytes + " bytes but found " + data.length);
    }
    return new NpyArray(dtype, shape, data);
  }

  private static String group(Pattern p, String header, String key, String source) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IllegalArgumentException(
          source + ": npy header has no valid '" + key + "' entry: " + header.trim());
    }
    return m.group(1);
  }

  private static int[] parseShape(String tuple, String source) {
    List<Integer> dims = new ArrayList<>();
    for (String part : tuple.split(",")) {
      String t = part.trim();
      if (t.endsWith("L")) { // Python 2 long literals in old files
        t = t.substring(0, t.length() - 1);
      }
      if (!t.isEmpty()) {
        try {
          dims.add(Integer.parseInt(t));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(source + ": bad npy shape (" + tuple + ")");
        }
      }
    }
    return dims.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Bytes per element of a supported dtype; otherwise an exception naming source and dtype. */
  static int itemSize(String dtype, String source) {
    return switch (dtype) {
      case "<f4", "<i4" -> 4;
      case "<f8", "<i8" -> 8;
      case "|u1", "|b1" -> 1;
      default ->
          throw new IllegalArgumentException(
              source
                  + ": dtype '"
                  + dtype
                  + "' is not supported (expected one of <f4 <f8 <i4 <i8 |u1 |b1)");
    };
  }

  /** Writes a float32 array in C order with the given shape. */
  public static void writeFloat32(Path file, float[] data, int... shape) {
    ByteBuffer b = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(data);
    write(file, new NpyArray("<f4", shape, b.array()));
  }

  /** Writes an int32 array in C order with the given shape. */
  public static void writeInt32(Path file, int[] data, int... shape) {
    ByteBuffer b = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(data);
    write(file, new NpyArray("<i4", shape, b.array()));
  }

  /** Writes any array in format 1.0 (2.0 only if the header would not fit). */
  public static void write(Path file, NpyArray array) {
    try (OutputStream out = Files.newOutputStream(file)) {
      write(out, array);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write npy file " + file, e);
    }
  }

  /** Writes one array to the stream, which stays open. */
  public static void write(OutputStream out, NpyArray array) throws IOException {
    int[] shape = array.shape();
    StringBuilder dims = new StringBuilder();
    for (int i = 0; i < shape.length; i++) {
      dims.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    if (shape.length == 1) {
      dims.append(',');
    }
    String dict =
        "{'descr': '" + array.dtype() + "', 'fortran_order': False, 'shape': (" + dims + "), }";
    // numpy pads the header with spaces and a newline so the data starts 64-byte aligned.
    int major = dict.length() + 1 + 10 > 0xffff ? 2 : 1;
    int preamble = MAGIC.length + 2 + (major == 1 ? 2 : 4);
    int padded = (preamble + dict.length() + 1 + 63) / 64 * 64;
    String header = dict + " ".repeat(padded - preamble - dict.length() - 1) + "\n";
    ByteBuffer pre = ByteBuffer.allocate(preamble).order(ByteOrder.LITTLE_ENDIAN);
    pre.put(MAGIC).put((byte) major).put((byte) 0);
    if (major == 1) {
      pre.putShort((short) header.length());
    } else {
      pre.putInt(header.length());
    }
    out.write(pre.array());
    out.write(header.getBytes(StandardCharsets.ISO_8859_1));
    out.write(array.rawData());
  }
}
