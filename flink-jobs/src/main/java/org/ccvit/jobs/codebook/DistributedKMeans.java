/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.codebook;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.ccvit.jobs.ReusableMiniCluster;
import org.ccvit.tokenizer.kmeans.BoundedAssigner;
import org.ccvit.tokenizer.kmeans.IterationListener;
import org.ccvit.tokenizer.kmeans.IterationStats;
import org.ccvit.tokenizer.kmeans.KMeans;
import org.ccvit.tokenizer.kmeans.KMeansConfig;
import org.ccvit.tokenizer.kmeans.KMeansResult;
import org.ccvit.tokenizer.kmeans.PartialSums;
import org.ccvit.tokenizer.npy.Npy;

/**
 * {@link KMeans#fit} spread over the subtasks of Flink jobs. Flink 2.x has no iteration operator,
 * so a driver loop submits one BATCH job per iteration: subtask p assigns partition p of the
 * training points ({@link PartitionedSample}) to the current centroids, single-threaded so that
 * Flink's parallelism is what scales, and writes its {@link PartialSums} to the work directory; the
 * driver merges them in partition order and runs {@link KMeans#update}. Initialisation, subsampling
 * and updates are those of {@link KMeans#fit}: with one partition the result is bit for bit the
 * same, with more it differs only by the float64 rounding of summing the partitions separately.
 *
 * <p>The work directory must be visible to the driver and every TaskManager (local disk on a
 * MiniCluster, a shared filesystem on a cluster).
 */
public final class DistributedKMeans {
  private final KMeansConfig config;
  private final Path workDir;

  /**
   * @param workDir parent of this run's temporary files, which are deleted at the end
   */
  public DistributedKMeans(KMeansConfig config, Path workDir) {
    this.config = config;
    this.workDir = workDir;
  }

  /**
   * Clusters the sample with one job per iteration on {@code env} (switched to BATCH mode), with
   * the environment's parallelism as the number of partitions. A local environment's jobs all run
   * on one {@link ReusableMiniCluster} instead of a new MiniCluster per job.
   *
   * @param listener told each iteration's objective, splits and wall time (job included); may be
   *     null
   */
  public KMeansResult fit(
      StreamExecutionEnvironment env, PatchSample sample, IterationListener listener)
      throws Exception {
    return ReusableMiniCluster.runJobs(env, cluster -> iterate(cluster, sample, listener));
  }

  private KMeansResult iterate(
      StreamExecutionEnvironment env, PatchSample sample, IterationListener listener)
      throws Exception {
    int k = config.k();
    int dim = sample.dim();
    PartitionedSample partitioned = new PartitionedSample(sample, config, env.getParallelism());
    List<IterationStats> history = new ArrayList<>();
    if (partitioned.trainingSize() == k) {
      // faiss's corner case, as KMeans.fit: the points themselves are the centroids.
      return new KMeansResult(
          sample.rows(partitioned.trainingRows()), k, dim, 0, List.copyOf(history));
    }
    Path runDir = WorkDirectory.createRunDir(workDir, "kmeans");
    String runId = runDir.getFileName().toString();
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    try {
      float[] centroids = partitioned.initialCentroids();
      SplittableRandom splitRandom = new SplittableRandom(config.seed());
      double objective = Double.NaN;
      for (int iteration = 0; iteration < config.iterations(); iteration++) {
        long start = System.nanoTime();
        Round round = new Round(runId, runDir.toString(), iteration, partitioned);
        Npy.writeFloat32(round.centroidsFile(), centroids, k, dim);
        PartialSums total = runRound(env, round);
        Files.delete(round.centroidsFile());
        centroids =
            KMeans.finishIteration(
                iteration, start, centroids, total, k, dim, splitRandom, history, listener);
        objective = total.objective;
      }
      return new KMeansResult(centroids, k, dim, objective, List.copyOf(history));
    } finally {
      PartitionAssigners.release(runId);
      WorkDirectory.deleteTree(runDir);
    }
  }

  /** Runs one iteration's job and merges its partial sums in partition order. */
  private static PartialSums runRound(StreamExecutionEnvironment env, Round round)
      throws Exception {
    int partitions = round.partitioned().partitions();
    env.fromData(IntStream.range(0, partitions).boxed().toList())
        .name("partitions")
        .partitionCustom((partition, subtasks) -> partition % subtasks, p -> p)
        .map(new AssignPartition(round))
        .name("assign partition " + round.iteration())
        .sinkTo(new DiscardingSink<>())
        .name("sums written");
    env.execute("ccvit codebook: k-means iteration " + round.iteration());
    PartialSums total = null;
    int k = round.partitioned().config().k();
    int dim = round.partitioned().sample().dim();
    for (int p = 0; p < partitions; p++) {
      Path file = round.sumsFile(p);
      if (!Files.exists(file)) {
        throw new IllegalStateException(
            "k-means iteration " + round.iteration() + " wrote no partial sums " + file);
      }
      PartialSums part = PartialSumsFile.read(file, k, dim);
      Files.delete(file);
      total = total == null ? part : total.merge(part);
    }
    return total;
  }

  /**
   * What the subtasks of one iteration need: the run (to find their cached state), the files of
   * this iteration, and the partitioning.
   */
  record Round(String runId, String runDir, int iteration, PartitionedSample partitioned)
      implements Serializable {
    Path centroidsFile() {
      return Path.of(runDir, "centroids-" + iteration + ".npy");
    }

    Path sumsFile(int partition) {
      return Path.of(runDir, "sums-" + iteration + "-" + partition + ".bin");
    }
  }

  /** Assigns one partition to this iteration's centroids and writes its partial sums. */
  static final class AssignPartition implements MapFunction<Integer, Integer> {
    private final Round round;

    AssignPartition(Round round) {
      this.round = round;
    }

    @Override
    public Integer map(Integer partition) throws IOException {
      PartitionedSample partitioned = round.partitioned();
      int dim = partitioned.sample().dim();
      BoundedAssigner assigner =
          PartitionAssigners.get(
              round.runId(),
              partition,
              () -> {
                float[] points = partitioned.load(partition);
                return new BoundedAssigner(points, points.length / dim, dim, false);
              });
      float[] centroids = Npy.read(round.centroidsFile()).toFloats();
      PartialSumsFile.write(
          round.sumsFile(partition), assigner.assign(centroids, partitioned.config().k()));
      return partition;
    }
  }
}
