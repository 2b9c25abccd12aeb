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
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The weights of one checkpoint, to be published once the checkpoint completes.
 *
 * @param checkpointId the checkpoint they belong to
 * @param step the optimizer step they are the weights of
 * @param pendingWeights the file the writer saved them to
 */
public record TrainerCommittable(long checkpointId, long step, String pendingWeights) {

  /** Binary form: version 2 = checkpoint id, step, pending weights file. */
  static final class Serializer implements SimpleVersionedSerializer<TrainerCommittable> {
    @Override
    public int getVersion() {
      return 2;
    }

    @Override
    public byte[] serialize(TrainerCommittable c) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeLong(c.checkpointId());
        out.writeLong(c.step());
        out.writeUTF(c.pendingWeights());
      }
      return bytes.toByteArray();
    }

    @Override
    public TrainerCommittable deserialize(int version, byte[] serialized) throws IOException {
      if (version != 2) {
        throw new IOException("trainer committable version " + version + " unknown, expected 2");
      }
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
        return new TrainerCommittable(in.readLong(), in.readLong(), in.readUTF());
      }
    }
  }

  /** The writer's result: the step its state will hold at the checkpoint. */
  static final class StepSerializer implements SimpleVersionedSerializer<Long> {
    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(Long step) {
      return java.nio.ByteBuffer.allocate(Long.BYTES).putLong(step).array();
    }

    @Override
    public Long deserialize(int version, byte[] serialized) throws IOException {
      if (version != 1 || serialized.length != Long.BYTES) {
        throw new IOException("expected a version 1, 8-byte step, got version " + version);
      }
      return java.nio.ByteBuffer.wrap(serialized).getLong();
    }
  }
}
