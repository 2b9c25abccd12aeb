/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** The chunk list of a WebP file: "RIFF", size, "WEBP", then chunks (fourcc, size, data). */
final class WebpChunks {
  private static final int FIRST_CHUNK = 12;

  private WebpChunks() {}

  /** The size the RIFF header declares for the whole file, in bytes. */
  static long declaredLength(byte[] b) {
    return 8 + (ByteBuffer.wrap(b, 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL);
  }

  /** Offset of the first chunk with this fourcc, or -1. */
  static int find(byte[] b, String fourcc) {
    byte[] tag = fourcc.getBytes(StandardCharsets.US_ASCII);
    for (int at = FIRST_CHUNK; at >= 0 && at + 8 <= b.length; at = end(b, at)) {
      if (ImageFormat.startsWith(b, at, tag)) {
        return at;
      }
    }
    return -1;
  }

  /** Where the chunk at {@code at} ends (chunks are padded to even sizes), or -1 past the data. */
  static int end(byte[] b, int at) {
    long size = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(at + 4) & 0xFFFFFFFFL;
    long next = at + 8L + size + (size & 1);
    return next > b.length ? -1 : (int) next;
  }
}
