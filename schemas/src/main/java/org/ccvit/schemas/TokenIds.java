/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.schemas;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Token ids on the wire: two bytes each, unsigned little-endian, so codebooks up to 65,536. */
public final class TokenIds {

  /** Largest codebook the sample format can carry. */
  public static final int MAX_CODEBOOK_SIZE = 1 << 16;

  private TokenIds() {}

  public static ByteBuffer pack(int[] ids) {
    ByteBuffer buffer = ByteBuffer.allocate(ids.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int id : ids) {
      if (id < 0 || id >= MAX_CODEBOOK_SIZE) {
        throw new IllegalArgumentException("token id " + id + " does not fit in 16 bits");
      }
      buffer.putShort((short) id);
    }
    return buffer.flip();
  }

  public static int[] unpack(ByteBuffer packed) {
    ByteBuffer buffer = packed.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (buffer.remaining() % 2 != 0) {
      throw new IllegalArgumentException(
          "token ids take two bytes each, but " + buffer.remaining() + " bytes were given");
    }
    int[] ids = new int[buffer.remaining() / 2];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = Short.toUnsignedInt(buffer.getShort());
    }
    return ids;
  }
}
