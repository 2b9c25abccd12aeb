/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.pretrain;

import java.nio.file.Path;
import java.util.List;
import org.ccvit.jobs.options.KafkaClientOptions;
import org.ccvit.jobs.options.ModelOptions;
import org.ccvit.jobs.options.MonitorOptions;
import org.ccvit.jobs.options.TrainingOptions;
import org.ccvit.trainer.ShuffleConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What the pre-training job is given, as options of {@code ccvit pretrain} and of {@link
 * PretrainJob#main} (the entry point for {@code flink run}). Paths are resolved where the job is
 * built; {@code --out} may also be a URI of a file system all TaskManagers share.
 */
public final class PretrainOptions {

  @Option(
      names = "--images",
      arity = "1..*",
      description = "Read image files, folders or WebDataset shards instead of Kafka.")
  public List<Path> images;

  @Option(
      names = "--passes",
      defaultValue = "1",
      description =
          "With --images: read them this many times, one epoch each (default: ${DEFAULT-VALUE}).")
  public int passes;

  @Option(
      names = "--bootstrap-servers",
      description = "Kafka bootstrap servers (when reading a topic).")
  public String bootstrapServers;

  @Mixin public KafkaClientOptions kafkaClient = new KafkaClientOptions();

  @Option(
      names = "--topic",
      defaultValue = "ccvit-images",
      description = "Image topic (default: ${DEFAULT-VALUE}).")
  public String topic;

  @Option(
      names = "--group-id",
      defaultValue = "ccvit-pretrain",
      description = "Kafka consumer group (default: ${DEFAULT-VALUE}).")
  public String groupId;

  @Option(
      names = "--bounded",
      description =
          "Stop at the topic's end offsets as of the start (a finite run); default: run continuously.")
  public boolean bounded;

  @Option(
      names = "--codebook",
      required = true,
      description =
          "The codebook (original centroids.npy layout): it sets the model's K, and it is the"
              + " codebook of tokenizers and trainer unless --codebook-topic gives them theirs.")
  public Path codebook;

  @Option(
      names = "--codebook-topic",
      description =
          "Take codebooks from this Kafka topic instead of --codebook: every version published"
              + " there goes to the tokenizers and the trainer, which switch to it as it comes.")
  public String codebookTopic;

  @Option(
      names = "--reject-topic",
      description = "Kafka topic for rejected inputs; default: files under --out/rejects.")
  public String rejectTopic;

  @Option(
      names = "--out",
      required = true,
      description =
          "Output folder for weights and metrics: a path, or a file:// URI (on a cluster, a"
              + " folder every TaskManager sees).")
  public String out;

  @Option(
      names = "--parallelism",
      defaultValue = "2",
      description =
          "Parallelism of decode/tokenize (default: ${DEFAULT-VALUE}); the trainer runs once.")
  public int parallelism;

  @Option(
      names = "--trainer-slot-group",
      description =
          "Run the trainer in a slot sharing group of its own, so that it gets a slot (and on a"
              + " cluster possibly a TaskManager) to itself.")
  public boolean trainerSlotGroup;

  @Option(
      names = "--checkpoint-interval",
      defaultValue = "0",
      description = "Checkpoint interval in ms, 0 = off (default: ${DEFAULT-VALUE}).")
  public long checkpointIntervalMs;

  @Option(
      names = "--checkpoint-dir",
      description = "Checkpoint directory or URI (default: --out/checkpoints).")
  public String checkpointDir;

  @Option(
      names = "--init-weights",
      description =
          "Start from these weights (safetensors, original names; see 'weights import')"
              + " instead of the seeded initialisation.")
  public Path initWeights;

  @Option(
      names = "--restore",
      description =
          "Resume from this savepoint or retained checkpoint: model, optimizer, step, pending"
              + " batch and Kafka offsets. Learning-rate options may differ; the step does not.")
  public String restore;

  @Option(
      names = "--shuffle-buffer",
      paramLabel = "N",
      description =
          "Samples the trainer's shuffle buffer holds; each sample it trains is drawn uniformly"
              + " from them with the run seed. Default: 16 batches, at most 256 MiB of samples,"
              + " at least one batch. 0 trains samples in arrival order.")
  public Integer shuffleBuffer;

  @Option(
      names = "--shuffle-max-wait",
      paramLabel = "MS",
      defaultValue = "10000",
      description =
          "When the shuffle buffer has released nothing for this long (a slow source), it releases"
              + " what the unfinished batch lacks; 0 = wait until it is full (default:"
              + " ${DEFAULT-VALUE}).")
  public long shuffleMaxWaitMs = 10_000;

  @Option(
      names = "--stop-at-offset",
      hidden = true,
      defaultValue = "0",
      description =
          "Testing: read each image topic partition up to this offset (which may not be written"
              + " yet) and end, for a reproducible bounded run; 0 = off.")
  public long stopAtOffset;

  @Option(
      names = "--fail-once-at-sample",
      hidden = true,
      defaultValue = "0",
      description =
          "Testing: the trainer's task fails once, at its n-th sample of the first attempt.")
  public long failOnceAtSample;

  @Mixin public ModelOptions model;

  @Mixin public TrainingOptions training;

  @Mixin public MonitorOptions monitor;

  /** The shuffle buffer for a model of {@code imageSize} px and {@code patches} patches. */
  public ShuffleConfig shuffle(int imageSize, int patches) {
    int size =
        shuffleBuffer != null
            ? shuffleBuffer
            : ShuffleConfig.defaultBufferSize(
                training.batchSize, ShuffleConfig.sampleBytes(imageSize, patches));
    return new ShuffleConfig(size, shuffleMaxWaitMs);
  }
}
