/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.codebook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.JobListener;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.ccvit.jobs.FlinkEnvironments;
import org.ccvit.tokenizer.kmeans.IterationStats;
import org.ccvit.tokenizer.kmeans.KMeans;
import org.ccvit.tokenizer.kmeans.KMeansConfig;
import org.ccvit.tokenizer.kmeans.KMeansResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distributed k-means gives the centroids of {@link KMeans#fit} on the same points: bit for bit
 * on one subtask, and on two subtasks up to the float64 rounding of summing partitions apart.
 */
class DistributedKMeansTest {
  private static final int N = 400;
  private static final int DIM = 24;

  @TempDir Path tmp;

  @Test
  void matchesInProcessFitOnOneAndTwoSubtasks() throws Exception {
    // Many repeated points: coinciding initial centroids leave clusters empty, so splits happen.
    float[] points = clusteredWithDuplicates(7);
    KMeansConfig config = new KMeansConfig(32, 6, 1, 10_000_000);
    KMeansResult expected = new KMeans(config).fit(points, N, DIM, null);
    assertTrue(
        expected.iterations().stream().mapToInt(IterationStats::emptyClustersSplit).sum() > 0,
        "the data should make k-means split empty clusters");
    PatchSample sample = splitOverFiles(points);

    KMeansResult one = distributed(config, sample, 1);
    assertArrayEquals(expected.centroids(), one.centroids());
    assertEquals(expected.iterations().size(), one.iterations().size());
    for (int i = 0; i < expected.iterations().size(); i++) {
      assertEquals(expected.iterations().get(i).objective(), one.iterations().get(i).objective());
      assertEquals(
          expected.iterations().get(i).emptyClustersSplit(),
          one.iterations().get(i).emptyClustersSplit());
    }

    KMeansResult two = distributed(config, sample, 2);
    assertArrayEquals(expected.centroids(), two.centroids(), 1e-6f);
    assertEquals(expected.objective(), two.objective(), 1e-9 * expected.objective());
    for (int i = 0; i < expected.iterations().size(); i++) {
      assertEquals(
          expected.iterations().get(i).emptyClustersSplit(),
          two.iterations().get(i).emptyClustersSplit());
    }
    try (var left = Files.list(tmp.resolve("work"))) {
      assertEquals(List.of(), left.toList(), "the run's files are deleted");
    }
  }

  @Test
  void subsamplesAsFaissDoes() throws Exception {
    float[] points = clusteredWithDuplicates(11);
    // 10 points per centroid of 16: a seeded subsample of 160 of the 400 points is clustered.
    KMeansConfig config = new KMeansConfig(16, 4, 3, 10);
    KMeansResult expected = new KMeans(config).fit(points, N, DIM, null);
    KMeansResult two = distributed(config, splitOverFiles(points), 2);
    assertArrayEquals(expected.centroids(), two.centroids(), 1e-6f);
  }

  @Test
  void runsEveryIterationInOneJob() throws Exception {
    StreamExecutionEnvironment env = FlinkEnvironments.create(2, tmp.resolve("cp").toString(), 0);
    CountingJobListener.SUBMITTED.set(0);
    env.registerJobListener(new CountingJobListener());
    KMeansConfig config = new KMeansConfig(16, 5, 1, 10_000_000);
    KMeansResult result =
        new DistributedKMeans(config, tmp.resolve("work"))
            .fit(env, splitOverFiles(clusteredWithDuplicates(3)), null);
    assertEquals(5, result.iterations().size());
    assertEquals(1, CountingJobListener.SUBMITTED.get(), "jobs submitted for 5 iterations");
  }

  /**
   * Counts submitted jobs in a static: Flink instantiates listeners anew by class name for
   * environments derived from a configuration.
   */
  public static final class CountingJobListener implements JobListener {
    static final AtomicInteger SUBMITTED = new AtomicInteger();

    @Override
    public void onJobSubmitted(JobClient client, Throwable failure) {
      SUBMITTED.incrementAndGet();
    }

    @Override
    public void onJobExecuted(JobExecutionResult result, Throwable failure) {}
  }

  private KMeansResult distributed(KMeansConfig config, PatchSample sample, int parallelism)
      throws Exception {
    List<IterationStats> progress = new ArrayList<>();
    KMeansResult result =
        new DistributedKMeans(config, tmp.resolve("work"))
            .fit(
                FlinkEnvironments.create(parallelism, tmp.resolve("cp").toString(), 0),
                sample,
                progress::add);
    assertEquals(result.iterations(), progress);
    return result;
  }

  /** The points in two files, in three segments whose concatenation is the original order. */
  private PatchSample splitOverFiles(float[] points) throws Exception {
    int cut = 150;
    PatchSample head = PatchSample.write(tmp.resolve("head.f32"), points, cut, DIM);
    float[] tail = java.util.Arrays.copyOfRange(points, cut * DIM, N * DIM);
    PatchSample rest = PatchSample.write(tmp.resolve("rest.f32"), tail, N - cut, DIM);
    String restFile = rest.segments().get(0).file();
    return new PatchSample(
        DIM,
        List.of(
            head.segments().get(0),
            new PatchSample.Segment(restFile, 0, 100),
            new PatchSample.Segment(restFile, 100, N - cut - 100)));
  }

  private static float[] clusteredWithDuplicates(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] points = new float[N * DIM];
    for (int i = 0; i < N; i++) {
      if (i >= 40 && random.nextInt(3) > 0) {
        int copy = random.nextInt(10);
        System.arraycopy(points, copy * DIM, points, i * DIM, DIM);
        continue;
      }
      int center = random.nextInt(5);
      for (int d = 0; d < DIM; d++) {
        points[i * DIM + d] = (float) (center * 0.2 + random.nextDouble() * 0.1);
      }
    }
    return points;
  }
}
