/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.npy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An n-dimensional array as stored in a {@code .npy} file: a numpy dtype string, a C-order shape
 * and the raw little-endian element bytes. Immutable; the conversions return fresh arrays.
 */
public final class NpyArray {
  private final String dtype;
  private final int[] shape;
  private final byte[] data;

  /**
   * @param dtype one of {@link Npy#SUPPORTED_DTYPES}
   * @param shape C-order dimensions (empty for a scalar)
   * @param data little-endian element bytes, exactly {@code elementCount * itemSize} of them
   */
  public NpyArray(String dtype, int[] shape, byte[] data) {
    int itemSize = Npy.itemSize(dtype, "array");
    long count = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      count *= d;
    }
    if (count * itemSize != data.length) {
      throw new IllegalArgumentException(
          "shape "
              + Arrays.toString(shape)
              + " of dtype "
              + dtype
              + " needs "
              + count * itemSize
              + " bytes but "
              + data.length
              + " were given");
    }
    this.dtype = dtype;
    this.shape = shape.clone();
    this.data = data;
  }

  public String dtype() {
    return dtype;
  }

  /** A copy of the shape. */
  public int[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long elementCount() {
    long count = 1;
    for (int d : shape) {
      count *= d;
    }
    return count;
  }

  private ByteBuffer buffer() {
    return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
  }

  private int count() {
    return Math.toIntExact(elementCount());
  }

  /** Float values: exact for {@code <f4}, rounded for {@code <f8}, converted for integer types. */
  public float[] toFloats() {
    if (dtype.equals("<f4")) {
      float[] out = new float[count()];
      buffer().asFloatBuffer().get(out);
      return out;
    }
    double[] values = toDoubles();
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }

  /** Double values of any supported dtype ({@code <i8} beyond 2^53 loses precision). */
  public double[] toDoubles() {
    int n = count();
    double[] out = new double[n];
    ByteBuffer b = buffer();
    switch (dtype) {
      case "<f4" -> {
        for (int i = 0; i < n; i++) out[i] = b.getFloat(4 * i);
      }
      case "<f8" -> b.asDoubleBuffer().get(out);
      case "<i4" -> {
        for (int i = 0; i < n; i++) out[i] = b.getInt(4 * i);
      }
      case "<i8" -> {
        for (int i = 0; i < n; i++) out[i] = b.getLong(8 * i);
      }
      default -> { // |u1 and |b1 are both one unsigned byte
        for (int i = 0; i < n; i++) out[i] = data[i] & 0xff;
      }
    }
    return out;
  }

  /**
   * Integer values of an integer or boolean array ({@code <i4 <i8 |u1 |b1}).
   *
   * @throws IllegalStateException for a float dtype or an int64 value outside the int range
   */
  public int[] toInts() {
    int n = count();
    int[] out = new int[n];
    ByteBuffer b = buffer();
    switch (dtype) {
      case "<i4" -> b.asIntBuffer().get(out);
      case "<i8" -> {
        for (int i = 0; i < n; i++) {
          long v = b.getLong(8 * i);
          if (v != (int) v) {
            throw new IllegalStateException(
                "int64 element " + i + " = " + v + " does not fit in an int");
          }
          out[i] = (int) v;
        }
      }
      case "|u1", "|b1" -> {
        for (int i = 0; i < n; i++) out[i] = data[i] & 0xff;
      }
      default ->
          throw new IllegalStateException(
              "toInts() needs an integer or bool array (<i4, <i8, |u1, |b1), not " + dtype);
    }
    return out;
  }

  /** The raw little-endian element bytes (not copied: do not modify). */
  byte[] rawData() {
    return data;
  }
}
