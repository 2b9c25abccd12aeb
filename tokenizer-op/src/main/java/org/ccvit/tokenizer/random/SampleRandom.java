/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.random;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;

/**
 * The only source of randomness for samples: a stream per (run seed, sample key, epoch, purpose),
 * so any sample can be replayed on any parallelism, JVM or machine. The stream seed is the first 8
 * bytes of SHA-256 over all four inputs, so nearby keys or seeds give unrelated streams; {@link
 * SplittableRandom}'s algorithm is fixed by its specification.
 */
public final class SampleRandom {
  /** What the stream is used for; separate purposes never share a stream. */
  public enum Purpose {
    AUGMENT,
    MASK,
    REPLACE
  }

  private static final byte[] DOMAIN = "ccvit.SampleRandom.v1".getBytes(StandardCharsets.UTF_8);

  private SampleRandom() {}

  public static SplittableRandom of(long runSeed, String key, int epoch, Purpose purpose) {
    if (key == null) {
      throw new IllegalArgumentException("sample key must not be null");
    }
    byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
    byte[] purposeBytes = purpose.name().getBytes(StandardCharsets.UTF_8);
    // Length prefixes keep the encoding unambiguous (no two inputs share a byte string).
    ByteBuffer message =
        ByteBuffer.allocate(DOMAIN.length + 8 + 4 + 4 + keyBytes.length + 4 + purposeBytes.length)
            .put(DOMAIN)
            .putLong(runSeed)
            .putInt(epoch)
            .putInt(keyBytes.length)
            .put(keyBytes)
            .putInt(purposeBytes.length)
            .put(purposeBytes);
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(message.array());
      return new SplittableRandom(ByteBuffer.wrap(hash).getLong());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
