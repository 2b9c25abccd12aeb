/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.flink;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.ccvit.schemas.CodebookRecord;
import org.ccvit.schemas.TrainerInput;
import org.ccvit.schemas.TrainingSample;

/**
 * The trainer's input: the samples and the codebook stream the tokenizers get as broadcast, merged
 * into one stream, so the trainer learns every codebook version from the same source as the
 * tokenizers. A sample may overtake its codebook on the way (they travel on different channels);
 * the trainer holds such a sample until the codebook arrives.
 */
public final class TrainerFeed {

  private TrainerFeed() {}

  public static DataStream<TrainerInput> of(
      DataStream<TrainingSample> samples, DataStream<CodebookRecord> codebooks) {
    AvroTypeInfo<TrainerInput> type = new AvroTypeInfo<>(TrainerInput.class);
    DataStream<TrainerInput> wrappedSamples =
        samples
            .map(new WrapSample())
            .returns(type)
            .name("trainer input: samples")
            .uid("trainer-samples");
    DataStream<TrainerInput> wrappedCodebooks =
        codebooks
            .map(new WrapCodebook())
            .returns(type)
            .name("trainer input: codebooks")
            .uid("trainer-codebooks")
            .setParallelism(1);
    return wrappedSamples.union(wrappedCodebooks);
  }

  private static final class WrapSample implements MapFunction<TrainingSample, TrainerInput> {
    @Override
    public TrainerInput map(TrainingSample sample) {
      return TrainerInput.newBuilder().setSample(sample).build();
    }
  }

  private static final class WrapCodebook implements MapFunction<CodebookRecord, TrainerInput> {
    @Override
    public TrainerInput map(CodebookRecord codebook) {
      return TrainerInput.newBuilder().setCodebook(codebook).build();
    }
  }
}
