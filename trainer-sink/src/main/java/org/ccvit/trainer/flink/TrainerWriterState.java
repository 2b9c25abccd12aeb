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
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.ccvit.schemas.AvroCodec;
import org.ccvit.schemas.TrainingSample;

/**
 * The trainer's part of a Flink checkpoint: the step reached, the durable directory holding the
 * weights and optimizer state of that step (referenced, not copied into Flink state), and the
 * samples of the unfinished batch.
 */
public record TrainerWriterState(long step, String stateDir, List<TrainingSample> pending) {

  /** Binary form: version 1 = step, directory, sample count, then each sample as Avro. */
  static final class Serializer implements SimpleVersionedSerializer<TrainerWriterState> {
    private static final AvroCodec<TrainingSample> SAMPLES = new AvroCodec<>(TrainingSample.class);

    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(TrainerWriterState state) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeLong(state.step());
        out.writeUTF(state.stateDir());
        out.writeInt(state.pending().size());
        for (TrainingSample s : state.pending()) {
          byte[] encoded = SAMPLES.encode(s);
          out.writeInt(encoded.length);
          out.write(encoded);
        }
      }
      return bytes.toByteArray();
    }

    @Override
    public TrainerWriterState deserialize(int version, byte[] serialized) throws IOException {
      if (version != 1) {
        throw new IOException("trainer state version " + version + " unknown, expected 1");
      }
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
        long step = in.readLong();
        String dir = in.readUTF();
        int count = in.readInt();
        List<TrainingSample> pending = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          byte[] encoded = new byte[in.readInt()];
          in.readFully(encoded);
          pending.add(SAMPLES.decode(encoded));
        }
        return new TrainerWriterState(step, dir, pending);
      }
    }
  }
}
