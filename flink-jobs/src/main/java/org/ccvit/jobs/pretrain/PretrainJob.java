/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.pretrain;

import ai.djl.ndarray.NDManager;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.ccvit.jobs.FlinkEnvironments;
import org.ccvit.jobs.io.Inputs;
import org.ccvit.jobs.io.RejectFileSink;
import org.ccvit.jobs.io.StreamInput;
import org.ccvit.jobs.kafka.KafkaSettings;
import org.ccvit.jobs.kafka.RejectRecordSerializer;
import org.ccvit.jobs.kafka.SameOffsetEverywhere;
import org.ccvit.schemas.CodebookRecord;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.schemas.RejectRecord;
import org.ccvit.schemas.TrainerInput;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.SampleMaker;
import org.ccvit.tokenizer.TokenizerConfig;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.flink.TokenizeMaskFunction;
import org.ccvit.tokenizer.io.SeededReadOrder;
import org.ccvit.trainer.ShuffleConfig;
import org.ccvit.trainer.flink.TrainerFeed;
import org.ccvit.trainer.flink.TrainerSink;
import org.ccvit.trainer.flink.TrainerSinkOptions;
import org.ccvit.trainer.io.SafetensorsWeights;
import org.ccvit.trainer.model.CcvitConfig;
import org.ccvit.trainer.model.CcvitModel;
import org.ccvit.trainer.model.ParameterStore;
import picocli.CommandLine;

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

  /** The trainer's slot sharing group with {@code --trainer-slot-group}. */
  public static final String TRAINER_SLOT_GROUP = "trainer";

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
    return buildWithSinks(env, trainer, rejects, false, 0);
  }

  /**
   * As {@link #buildWithSinks(StreamExecutionEnvironment, Sink, Sink)}; the trainer optionally in a
   * slot sharing group of its own, and optionally failing once at its n-th sample (testing).
   */
  Streams buildWithSinks(
      StreamExecutionEnvironment env,
      Sink<TrainerInput> trainer,
      Sink<RejectRecord> rejects,
      boolean trainerSlotGroup,
      long failOnceAtSample) {
    Streams streams = build(env);
    DataStream<TrainerInput> input = TrainerFeed.of(streams.samples(), streams.codebooks());
    if (failOnceAtSample > 0) {
      // Chained to the trainer: the failure is the trainer task's, not a tokenizer's.
      SingleOutputStreamOperator<TrainerInput> failing =
          input
              .map(new FailOnce<>(failOnceAtSample))
              .returns(new AvroTypeInfo<>(TrainerInput.class))
              .name("fail once (testing)")
              .uid("fail-once")
              .setParallelism(1);
      if (trainerSlotGroup) {
        failing.slotSharingGroup(TRAINER_SLOT_GROUP);
      }
      input = failing;
    }
    DataStreamSink<TrainerInput> sink =
        input.sinkTo(trainer).name("trainer").uid("trainer").setParallelism(1);
    if (trainerSlotGroup) {
      sink.slotSharingGroup(TRAINER_SLOT_GROUP);
    }
    streams.rejects().sinkTo(rejects).name("rejects").uid("rejects");
    return streams;
  }

  /**
   * Checks the options (input, codebook against model and view, initial weights' names and shapes)
   * before anything starts, builds the job on {@code env} and submits it.
   */
  public static JobClient submit(PretrainOptions o, StreamExecutionEnvironment env)
      throws Exception {
    if ((o.images == null) == (o.bootstrapServers == null)) {
      throw new IllegalArgumentException(
          "give exactly one input: --images PATH... or --bootstrap-servers with --topic");
    }
    int patchSize = o.model.patchSize();
    Codebook cb = Codebook.readNpy(o.codebook, patchSize, 3);
    CcvitConfig model = o.model.model(cb.k());
    TokenizerConfig tokenizer =
        TokenizerConfig.forSize(model.imgSize(), patchSize, o.training.seed);
    SampleMaker.requireCompatible(tokenizer, cb);
    if (o.initWeights != null) {
      // Names and shapes are checked now, with the full list of mismatches, not in the job.
      try (NDManager manager = NDManager.newBaseManager();
          ParameterStore store = CcvitModel.newParameters(model, manager)) {
        SafetensorsWeights.load(store, o.initWeights);
      }
    }
    KafkaSettings kafka =
        o.bootstrapServers == null ? null : o.kafkaClient.settings(o.bootstrapServers);
    ShuffleConfig shuffle = o.shuffle(model.imgSize(), model.numPatches());
    StreamInput<ImageRecord> images =
        o.images != null
            // With the buffer on, files come in a new seeded order every pass too.
            ? Inputs.imageFiles(
                o.images,
                o.passes,
                shuffle.bufferSize() > 0 ? new SeededReadOrder(o.training.seed) : null)
            : o.stopAtOffset > 0
                ? Inputs.kafkaImages(
                    kafka, o.topic, o.groupId, new SameOffsetEverywhere(o.stopAtOffset))
                : Inputs.kafkaImages(kafka, o.topic, o.groupId, o.bounded);
    StreamInput<CodebookRecord> codebooks =
        o.codebookTopic != null
            ? Inputs.kafkaCodebooks(kafka, o.codebookTopic, o.groupId + "-codebooks", o.bounded)
            : Inputs.codebookFile(o.codebook, patchSize, 3, Map.of("file", o.codebook.toString()));
    String out = outputLocation(o.out);
    Sink<RejectRecord> rejects;
    if (o.rejectTopic != null) {
      rejects = RejectRecordSerializer.sink(kafka, o.rejectTopic);
    } else if (!out.contains("://")) {
      rejects = new RejectFileSink(Path.of(out, "rejects"));
    } else {
      throw new IllegalArgumentException("with --out " + o.out + ", give --reject-topic");
    }
    TrainerSink trainer =
        new TrainerSink(
            new TrainerSinkOptions(
                model,
                o.training.train(),
                out,
                o.initWeights == null ? null : o.initWeights.toAbsolutePath().toString(),
                shuffle,
                o.monitor == null ? null : o.monitor.settings()));
    new PretrainJob(tokenizer, images, codebooks)
        .buildWithSinks(env, trainer, rejects, o.trainerSlotGroup, o.failOnceAtSample);
    return env.executeAsync("ccvit pretrain");
  }

  /**
   * The environment for the options (checkpoints, restore) on the session cluster at {@code
   * jobManager} ({@code HOST:PORT} of its REST API), or, when null, locally or as set by {@code
   * flink run}.
   */
  public static StreamExecutionEnvironment environment(PretrainOptions o, String jobManager) {
    return environment(o, jobManager, Map.of());
  }

  /** As {@link #environment(PretrainOptions, String)}, with further Flink settings. */
  public static StreamExecutionEnvironment environment(
      PretrainOptions o, String jobManager, Map<String, String> settings) {
    Map<String, String> overrides = new HashMap<>(settings);
    if (o.restore != null) {
      overrides.put("execution.state-recovery.path", o.restore);
    }
    return FlinkEnvironments.create(
        jobManager,
        o.parallelism,
        o.checkpointDir != null ? o.checkpointDir : outputLocation(o.out) + "/checkpoints",
        o.checkpointIntervalMs,
        overrides);
  }

  /**
   * The output folder the trainer is given: an absolute local path for a path or {@code file:} URI,
   * any other URI (a shared file system) as it is.
   */
  public static String outputLocation(String out) {
    if (!out.contains("://")) {
      return Path.of(out).toAbsolutePath().toString();
    }
    URI uri = URI.create(out);
    return "file".equals(uri.getScheme()) ? Path.of(uri).toString() : out;
  }

  /**
   * The entry point for {@code flink run -c org.ccvit.jobs.pretrain.PretrainJob ccvit-job.jar
   * OPTIONS}: the options of {@code ccvit pretrain}. Waits for the job unless run detached.
   */
  public static void main(String[] args) throws Exception {
    PretrainOptions options = CommandLine.populateCommand(new PretrainOptions(), args);
    StreamExecutionEnvironment env = environment(options, null);
    JobClient job = submit(options, env);
    System.out.println("pretrain: job " + job.getJobID());
    if (env.getConfiguration().get(DeploymentOptions.ATTACHED)) {
      job.getJobExecutionResult().get();
    }
  }

  /** Keys images by their sample key; a class so that Flink sees the key type. */
  static final class SampleKey implements KeySelector<ImageRecord, String> {
    @Override
    public String getKey(ImageRecord image) {
      return image.getKey();
    }
  }
}
