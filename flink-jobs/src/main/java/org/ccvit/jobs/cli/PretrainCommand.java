/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.ccvit.jobs.FlinkEnvironments;
import org.ccvit.jobs.PretrainJob;
import org.ccvit.jobs.io.Inputs;
import org.ccvit.jobs.io.RejectFileSink;
import org.ccvit.jobs.io.StreamInput;
import org.ccvit.jobs.kafka.KafkaSettings;
import org.ccvit.jobs.kafka.RejectRecordSerializer;
import org.ccvit.schemas.CodebookRecord;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.schemas.RejectRecord;
import org.ccvit.tokenizer.SampleMaker;
import org.ccvit.tokenizer.TokenizerConfig;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.trainer.flink.TrainerSink;
import org.ccvit.trainer.flink.TrainerSinkOptions;
import org.ccvit.trainer.io.SafetensorsWeights;
import org.ccvit.trainer.model.CcvitConfig;
import org.ccvit.trainer.model.CcvitModel;
import org.ccvit.trainer.model.ParameterStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The streaming pre-training job. */
@Command(
    name = "pretrain",
    mixinStandardHelpOptions = true,
    description =
        "Streaming CCViT pre-training: images from a Kafka topic (or files) are "
            + "decoded, augmented (flip, RandomResizedCrop), tokenized against the codebook, "
            + "masked and replaced, and trained on by a DJL trainer sink. Writes "
            + "weights.safetensors and metrics.csv to --out; rejected inputs go to --reject-"
            + "topic or --out/rejects/.")
final class PretrainCommand implements Callable<Integer> {

  @Option(
      names = "--images",
      arity = "1..*",
      description = "Read image files, folders or WebDataset shards instead of Kafka.")
  List<Path> images;

  @Option(
      names = "--passes",
      defaultValue = "1",
      description =
          "With --images: read them this many times, one epoch each (default: ${DEFAULT-VALUE}).")
  int passes;

  @Option(
      names = "--bootstrap-servers",
      description = "Kafka bootstrap servers (when reading a topic).")
  String bootstrapServers;

  @Option(
      names = "--topic",
      defaultValue = "ccvit-images",
      description = "Image topic (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(
      names = "--group-id",
      defaultValue = "ccvit-pretrain",
      description = "Kafka consumer group (default: ${DEFAULT-VALUE}).")
  String groupId;

  @Option(
      names = "--bounded",
      description =
          "Stop at the topic's end offsets as of the start (a finite run); default: run continuously.")
  boolean bounded;

  @Option(
      names = "--codebook",
      required = true,
      description =
          "The codebook (original centroids.npy layout): it sets the model's K, and it is the"
              + " codebook of tokenizers and trainer unless --codebook-topic gives them theirs.")
  Path codebook;

  @Option(
      names = "--codebook-topic",
      description =
          "Take codebooks from this Kafka topic instead of --codebook: every version published"
              + " there goes to the tokenizers and the trainer, which switch to it as it comes.")
  String codebookTopic;

  @Option(
      names = "--reject-topic",
      description = "Kafka topic for rejected inputs; default: files under --out/rejects.")
  String rejectTopic;

  @Option(
      names = "--out",
      required = true,
      description = "Output directory for weights and metrics.")
  Path out;

  @Option(
      names = "--parallelism",
      defaultValue = "2",
      description =
          "Parallelism of decode/tokenize (default: ${DEFAULT-VALUE}); the trainer runs once.")
  int parallelism;

  @Option(
      names = "--checkpoint-interval",
      defaultValue = "0",
      description = "Checkpoint interval in ms, 0 = off (default: ${DEFAULT-VALUE}).")
  long checkpointIntervalMs;

  @Option(
      names = "--checkpoint-dir",
      description = "Checkpoint directory or URI (default: --out/checkpoints).")
  String checkpointDir;

  @Option(
      names = "--init-weights",
      description =
          "Start from these weights (safetensors, original names; see 'weights import')"
              + " instead of the seeded initialisation.")
  Path initWeights;

  @Option(
      names = "--restore",
      description =
          "Resume from this savepoint or retained checkpoint: model, optimizer, step, pending"
              + " batch and Kafka offsets. Learning-rate options may differ; the step does not.")
  String restore;

  @Mixin ModelOptions modelOptions;

  @Override
  public Integer call() throws Exception {
    if ((images == null) == (bootstrapServers == null)) {
      throw new IllegalArgumentException(
          "give exactly one input: --images PATH... or --bootstrap-servers with --topic");
    }
    // Refuse a wrong codebook or configuration before anything starts.
    Codebook cb = Codebook.readNpy(codebook, modelOptions.view.patchSize, 3);
    TokenizerConfig tokenizer =
        TokenizerConfig.forSize(
            modelOptions.view.imageSize, modelOptions.view.patchSize, modelOptions.seed);
    SampleMaker.requireCompatible(tokenizer, cb);
    CcvitConfig model = modelOptions.model(cb.k());
    if (model.imgSize() != tokenizer.imageSize() || model.patchSize() != tokenizer.patchSize()) {
      throw new IllegalArgumentException(
          "the "
              + modelOptions.preset
              + " model takes "
              + model.imgSize()
              + "px images with "
              + model.patchSize()
              + "px patches: set --image-size and --patch-size to match");
    }
    if (initWeights != null) {
      // Names and shapes are checked now, with the full list of mismatches, not in the job.
      try (NDManager manager = NDManager.newBaseManager();
          ParameterStore store = CcvitModel.newParameters(model, manager)) {
        SafetensorsWeights.load(store, initWeights);
      }
    }
    KafkaSettings kafka = bootstrapServers == null ? null : new KafkaSettings(bootstrapServers);
    StreamInput<ImageRecord> imageInput =
        images != null
            ? Inputs.imageFiles(images, passes)
            : Inputs.kafkaImages(kafka, topic, groupId, bounded);
    StreamInput<CodebookRecord> codebookInput =
        codebookTopic != null
            ? Inputs.kafkaCodebooks(kafka, codebookTopic, groupId + "-codebooks", bounded)
            : Inputs.codebookFile(
                codebook, modelOptions.view.patchSize, 3, Map.of("file", codebook.toString()));
    Sink<RejectRecord> rejects =
        rejectTopic != null
            ? RejectRecordSerializer.sink(kafka, rejectTopic)
            : new RejectFileSink(out.resolve("rejects"));
    TrainerSink trainer =
        new TrainerSink(
            new TrainerSinkOptions(
                model,
                modelOptions.train(),
                out.toAbsolutePath().toString(),
                initWeights == null ? null : initWeights.toAbsolutePath().toString()));
    StreamExecutionEnvironment env =
        FlinkEnvironments.create(
            parallelism,
            checkpointDir != null ? checkpointDir : out.resolve("checkpoints").toString(),
            checkpointIntervalMs,
            restore == null ? Map.of() : Map.of("execution.state-recovery.path", restore));
    new PretrainJob(tokenizer, imageInput, codebookInput).buildWithSinks(env, trainer, rejects);
    env.execute("ccvit pretrain");
    System.out.println("pretrain: weights and metrics in " + out.toAbsolutePath());
    return 0;
  }
}
