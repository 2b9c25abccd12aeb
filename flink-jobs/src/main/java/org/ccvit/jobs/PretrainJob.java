/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.ccvit.jobs.io.StreamInput;
import org.ccvit.schemas.CodebookRecord;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.schemas.RejectRecord;
import org.ccvit.schemas.TrainerInput;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.TokenizerConfig;
import org.ccvit.tokenizer.flink.TokenizeMaskFunction;
import org.ccvit.trainer.flink.TrainerFeed;

/**
 * The streaming pre-training job: images (Kafka or files) are keyed by sample key, tokenized and
 * masked against the broadcast codebook, and fed to the trainer sink together with the same
 * codebook stream (one source of truth for tokenizers and trainer); every input that cannot be used
 * goes to the reject sink with its key and reason. Sources and sinks are constructor arguments so
 * that tests swap them.
 */
public final class PretrainJob {

  /**
   * The job's two outputs, before sinks are attached, and the codebook stream the tokenizers are
   * broadcast (the trainer takes its codebooks from it, see {@link TrainerFeed}).
   */
  public record Streams(
      DataStream<TrainingSample> samples,
      DataStream<RejectRecord> rejects,
      DataStream<CodebookRecord> codebooks) {}

  private final TokenizerConfig tokenizer;
  private final StreamInput<ImageRecord> images;
  private final StreamInput<CodebookRecord> codebooks;

  public PretrainJob(
      TokenizerConfig tokenizer,
      StreamInput<ImageRecord> images,
      StreamInput<CodebookRecord> codebooks) {
    this.tokenizer = tokenizer;
    this.images = images;
    this.codebooks = codebooks;
  }

  /** Builds decode → augment → tokenize → mask; the caller attaches sinks to the streams. */
  public Streams build(StreamExecutionEnvironment env) {
    DataStream<CodebookRecord> codebookStream = codebooks.create(env);
    BroadcastStream<CodebookRecord> codebook =
        codebookStream.broadcast(TokenizeMaskFunction.CODEBOOK_STATE);
    SingleOutputStreamOperator<TrainingSample> samples =
        images
            .create(env)
            .keyBy(new SampleKey())
            .connect(codebook)
            .process(new TokenizeMaskFunction(tokenizer), new AvroTypeInfo<>(TrainingSample.class))
            .name("decode, augment, tokenize, mask")
            .uid("tokenize-mask");
    return new Streams(
        samples, samples.getSideOutput(TokenizeMaskFunction.REJECTS), codebookStream);
  }

  /** Builds the job with the trainer (one subtask: one model) and the reject sink attached. */
  public Streams buildWithSinks(
      StreamExecutionEnvironment env, Sink<TrainerInput> trainer, Sink<RejectRecord> rejects) {
    Streams streams = build(env);
    TrainerFeed.of(streams.samples(), streams.codebooks())
        .sinkTo(trainer)
        .name("trainer")
        .uid("trainer")
        .setParallelism(1);
    streams.rejects().sinkTo(rejects).name("rejects").uid("rejects");
    return streams;
  }

  /** Keys images by their sample key; a class so that Flink sees the key type. */
  static final class SampleKey implements KeySelector<ImageRecord, String> {
    @Override
    public String getKey(ImageRecord image) {
      return image.getKey();
    }
  }
}
