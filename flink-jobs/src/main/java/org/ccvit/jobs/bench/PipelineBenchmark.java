/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.ccvit.jobs.FlinkEnvironments;
import org.ccvit.jobs.pretrain.PretrainJob;
import org.ccvit.schemas.CodebookRecord;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.RejectedInputException;
import org.ccvit.tokenizer.SampleMaker;
import org.ccvit.tokenizer.StageTimes;
import org.ccvit.tokenizer.TokenizerConfig;
import org.ccvit.tokenizer.codebook.Codebook;

/**
 * The same work two ways on the same in-memory images: a plain loop (one {@link SampleMaker} per
 * thread, each sample encoded to Avro) and the pre-training job on a local MiniCluster (images →
 * keyBy → tokenize/mask with the broadcast codebook → Avro-encoding sink that discards). The ratio
 * of their throughputs at equal parallelism is what Flink costs. Both are timed over the same
 * {@link SampleWindow}, taken by the same {@link TimedSerializer}.
 */
public final class PipelineBenchmark {

  /**
   * One timed run: how many samples in how many seconds on how many workers. {@code seconds} is the
   * {@link SampleWindow}, defined alike for both runs, so neither counts start-up or preparing the
   * codebook's search index; {@code jobSeconds} is the whole run with them (the loop: starting its
   * threads, each preparing its index; the job: its net runtime with task deployment). {@code
   * cpuSeconds} is the CPU time of the whole process (every thread: Flink's network, state backend,
   * GC) over the window. {@code bytesPerSample} is the mean Avro size of a sample.
   */
  public record Run(
      String mode,
      int parallelism,
      long samples,
      double seconds,
      double jobSeconds,
      double cpuSeconds,
      double bytesPerSample) {

    static Run of(String mode, int parallelism, SampleWindow window, double jobSeconds) {
      return new Run(
          mode,
          parallelism,
          window.samples(),
          window.seconds(parallelism),
          jobSeconds,
          window.cpuSeconds(parallelism),
          window.bytesPerSample());
    }

    public double samplesPerSecond() {
      return samples / seconds;
    }

    public double samplesPerSecondPerCore() {
      return samplesPerSecond() / parallelism;
    }

    /** Samples per second over the whole run, start-up included. */
    public double samplesPerSecondWithStartUp() {
      return samples / jobSeconds;
    }

    /** Samples per CPU-second: the throughput of one fully used core. */
    public double samplesPerCpuSecond() {
      return samples / cpuSeconds;
    }
  }

  private final TokenizerConfig config;
  private final Codebook codebook;
  private final List<ImageRecord> images;
  private final Path workDir;
  private final Map<String, String> flinkSettings;

  /**
   * @param flinkSettings further Flink settings of the jobs' local MiniClusters, e.g. the web UI's
   */
  public PipelineBenchmark(
      TokenizerConfig config,
      Codebook codebook,
      List<ImageRecord> images,
      Path workDir,
      Map<String, String> flinkSettings) {
    SampleMaker.requireCompatible(config, codebook);
    this.config = config;
    this.codebook = codebook;
    this.images = List.copyOf(images);
    this.workDir = workDir;
    this.flinkSettings = Map.copyOf(flinkSettings);
  }

  /** A K-centroid codebook of random natural patches of the images (no k-means iterations). */
  public static Codebook quickCodebook(
      List<ImageRecord> images, TokenizerConfig config, int k, long seed)
      throws RejectedInputException {
    return QuickCodebook.draw(images, config.imageSize(), config.patchSize(), k, seed);
  }

  /**
   * Every image once on {@code threads} threads, each sample encoded to Avro; the time of every
   * stage goes to {@code stages}. Fails on a rejected image: benchmark inputs must all be usable.
   */
  public Run plainLoop(int threads, StageTimes stages) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long start = System.nanoTime();
    SampleWindow window = SampleWindow.EMPTY;
    try {
      List<Future<SampleWindow>> workers = new ArrayList<>();
      for (int w = 0; w < threads; w++) {
        int worker = w;
        workers.add(
            pool.submit(
                () -> {
                  // Prepares this worker's search index before its first sample, as each
                  // tokenizer subtask of the job does: outside the window on both sides.
                  SampleMaker maker = new SampleMaker(config, codebook, stages);
                  TimedSerializer serializer = TimedSerializer.system(stages);
                  SampleWindow own = SampleWindow.EMPTY;
                  for (int i = worker; i < images.size(); i += threads) {
                    own = own.merge(serializer.serialize(maker.make(images.get(i), 0)).window());
                  }
                  return own;
                }));
      }
      for (Future<SampleWindow> f : workers) {
        window = window.merge(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    return Run.of("plain loop", threads, window, (System.nanoTime() - start) / 1e9);
  }

  /**
   * The pre-training job at the given parallelism on a fresh local MiniCluster (RocksDB state, as
   * in production). Fails unless every image became a sample.
   */
  public Run flinkJob(int parallelism) throws Exception {
    StreamExecutionEnvironment env =
        FlinkEnvironments.create(
            parallelism, workDir.resolve("checkpoints").toString(), 0, flinkSettings);
    List<ImageRecord> records = images;
    CodebookRecord codebookRecord = codebook.toRecord(Map.of("source", "benchmark"));
    PretrainJob.Streams streams =
        new PretrainJob(
                config,
                e -> e.fromData(records, new AvroTypeInfo<>(ImageRecord.class)).name("images"),
                e ->
                    e.fromData(List.of(codebookRecord), new AvroTypeInfo<>(CodebookRecord.class))
                        .name("codebook")
                        .setParallelism(1))
            .build(env);
    streams
        .samples()
        .map(new SerializeAndClock())
        .returns(PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
        .name("serialize")
        .sinkTo(new DiscardingSink<>())
        .name("discard");
    streams.rejects().sinkTo(new DiscardingSink<>()).name("rejects");
    JobExecutionResult result = env.execute("ccvit bench pipeline");
    SampleWindow window = result.getAccumulatorResult(SerializeAndClock.WINDOW);
    if (window.samples() != images.size()) {
      throw new IllegalStateException(
          "the job made " + window.samples() + " samples from " + images.size() + " images");
    }
    return Run.of(
        "flink job", parallelism, window, result.getNetRuntime(TimeUnit.MILLISECONDS) / 1e3);
  }
}
