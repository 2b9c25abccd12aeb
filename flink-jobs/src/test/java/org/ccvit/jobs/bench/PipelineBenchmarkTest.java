/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ccvit.jobs.RealImages;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.PipelineStage;
import org.ccvit.tokenizer.StageTimes;
import org.ccvit.tokenizer.TokenizerConfig;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.search.ProjectedCodebook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plain loop and the Flink job must time the same work. The Flink job's window opens at the
 * first serialized sample, after its tokenizer has prepared the codebook; so must the loop's.
 */
class PipelineBenchmarkTest {

  private static final int K = 8192;

  /** 224 px images give 196 patches each: 48 images hold enough distinct patches for K. */
  private static final int CODEBOOK_IMAGES = 48;

  private static final int RUN_IMAGES = 4;

  @TempDir Path tmp;

  @Test
  void plainLoopWindowLeavesOutPreparingTheCodebookLikeTheFlinkJob() throws Exception {
    List<ImageRecord> images = RealImages.imagenetteValidation(CODEBOOK_IMAGES + RUN_IMAGES);
    TokenizerConfig config = TokenizerConfig.forSize(224, 16, 0);
    Codebook codebook =
        PipelineBenchmark.quickCodebook(images.subList(0, CODEBOOK_IMAGES), config, K, 0);
    List<ImageRecord> run = images.subList(CODEBOOK_IMAGES, images.size());
    PipelineBenchmark bench = new PipelineBenchmark(config, codebook, run, tmp, Map.of());

    StageTimes stages = new StageTimes();
    PipelineBenchmark.Run loop = bench.plainLoop(1, stages);
    double sampleWork = 0;
    for (PipelineStage stage : PipelineStage.values()) {
      sampleWork += stages.meanMicros(stage) * RUN_IMAGES / 1e6;
    }
    long start = System.nanoTime();
    ProjectedCodebook.of(codebook);
    double prepare = (System.nanoTime() - start) / 1e9;

    // A few samples take a few tens of ms; preparing K=8192 centroids (a PCA) far longer.
    assertTrue(
        loop.seconds() - sampleWork < prepare / 2,
        "the loop's window ("
            + loop.seconds()
            + " s) holds more than its samples' work ("
            + sampleWork
            + " s): preparing the codebook ("
            + prepare
            + " s) is inside it");
  }

  @Test
  void bothRunsTimeTheSameSamplesOnTwoWorkers() throws Exception {
    List<ImageRecord> images = RealImages.imagenetteValidation(6);
    TokenizerConfig config = TokenizerConfig.forSize(224, 16, 0);
    Codebook codebook = PipelineBenchmark.quickCodebook(images, config, 256, 0);
    PipelineBenchmark bench = new PipelineBenchmark(config, codebook, images, tmp, Map.of());

    PipelineBenchmark.Run loop = bench.plainLoop(2, new StageTimes());
    PipelineBenchmark.Run job = bench.flinkJob(2);

    for (PipelineBenchmark.Run run : List.of(loop, job)) {
      assertEquals(images.size(), run.samples(), run.mode());
      assertTrue(run.seconds() > 0 && run.seconds() < run.jobSeconds(), run.toString());
      assertTrue(run.cpuSeconds() > 0, run.toString());
    }
    // Same images, seeds and epoch: the same samples, so the same Avro bytes on both sides.
    assertEquals(loop.bytesPerSample(), job.bytesPerSample());
  }
}
