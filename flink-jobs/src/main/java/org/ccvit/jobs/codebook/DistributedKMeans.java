/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.codebook;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.ccvit.tokenizer.kmeans.BoundedAssigner;
import org.ccvit.tokenizer.kmeans.IterationListener;
import org.ccvit.tokenizer.kmeans.IterationStats;
import org.ccvit.tokenizer.kmeans.KMeans;
import org.ccvit.tokenizer.kmeans.KMeansConfig;
import org.ccvit.tokenizer.kmeans.KMeansResult;
import org.ccvit.tokenizer.kmeans.PartialSums;

/**
 * {@link KMeans#fit} spread over the subtasks of one Flink job. Flink 2.x has no iteration
 * operator, so the job's subtasks and a driver loop in the client take turns through the work
 * directory ({@link IterationExchange}): subtask p keeps partition p of the training points ({@link
 * PartitionedSample}) and its {@link BoundedAssigner} for the whole run, and each iteration assigns
 * them to the driver's current centroids, single-threaded so that Flink's parallelism is what
 * scales, and publishes its {@link PartialSums}; the driver merges them in partition order and runs
 * {@link KMeans#update}. One job for all iterations: submitting a job per iteration cost 0.2-0.3 s
 * each, more than an iteration's work at K=1024. Initialisation, subsampling and updates are those
 * of {@link KMeans#fit}: with one partition the result is bit for bit the same, with more it
 * differs only by the float64 rounding of summing the partitions separately.
 *
 * <p>The work directory must be visible to the driver and every TaskManager (local disk on a
 * MiniCluster, a shared filesystem on a cluster). The job holds one slot per partition until the
 * last iteration; a failed subtask fails the fit.
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
   * Clusters the sample with one job on {@code env} (switched to STREAMING mode), with the
   * environment's parallelism as the number of partitions; the job needs that many slots.
   *
   * @param listener told each iteration's objective, splits and wall time; may be null
   */
  public KMeansResult fit(
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
    IterationExchange exchange = new IterationExchange(runDir.toString());
    // STREAMING deploys every subtask at once (or fails for want of slots): each partition needs
    // its own running subtask, where BATCH could run the partitions one after the other (its
    // adaptive scheduler even chose parallelism 1) and wait for ever.
    env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
    JobClient job = null;
    try {
      float[] centroids = partitioned.initialCentroids();
      exchange.publishCentroids(0, centroids, k, dim);
      long start = System.nanoTime();
      int partitions = partitioned.partitions();
      env.fromData(IntStream.range(0, partitions).boxed().toList())
          .name("partitions")
          .partitionCustom((partition, subtasks) -> partition % subtasks, p -> p)
          .map(new AssignEveryIteration(exchange, partitioned))
          .setParallelism(partitions)
          .name("assign partition, " + config.iterations() + " iterations")
          .sinkTo(new DiscardingSink<>())
          .name("done");
      job = env.executeAsync("ccvit codebook: k-means, " + config.iterations() + " iterations");
      CompletableFuture<JobExecutionResult> finished = job.getJobExecutionResult();
      SplittableRandom splitRandom = new SplittableRandom(config.seed());
      double objective = Double.NaN;
      for (int iteration = 0; iteration < config.iterations(); iteration++) {
        PartialSums total = exchange.awaitSums(iteration, partitions, k, dim, finished);
        exchange.retireCentroids(iteration);
        centroids =
            KMeans.finishIteration(
                iteration, start, centroids, total, k, dim, splitRandom, history, listener);
        objective = total.objective;
        start = System.nanoTime();
        if (iteration + 1 < config.iterations()) {
          exchange.publishCentroids(iteration + 1, centroids, k, dim);
        }
      }
      finished.get();
      return new KMeansResult(centroids, k, dim, objective, List.copyOf(history));
    } finally {
      if (job != null && !job.getJobExecutionResult().isDone()) {
        // The driver failed: the subtasks would wait for centroids that never come.
        job.cancel();
      }
      WorkDirectory.deleteTree(runDir);
    }
  }

  /** Keeps one partition and its assigner for the run and assigns it in every iteration. */
  static final class AssignEveryIteration extends RichMapFunction<Integer, Integer> {
    private final IterationExchange exchange;
    private final PartitionedSample partitioned;
    private transient Integer assigned;

    AssignEveryIteration(IterationExchange exchange, PartitionedSample partitioned) {
      this.exchange = exchange;
      this.partitioned = partitioned;
    }

    @Override
    public Integer map(Integer partition) throws IOException {
      if (getRuntimeContext().getTaskInfo().getAttemptNumber() > 0) {
        // The driver has moved past the iterations a restarted subtask would start from.
        throw new IllegalStateException(
            "a restarted k-means subtask cannot rejoin its run; restart the whole fit");
      }
      if (assigned != null) {
        // Its iterations would wait for the driver, which waits for this partition's sums.
        throw new IllegalStateException(
            "k-means partitions "
                + assigned
                + " and "
                + partition
                + " reached one subtask; each needs its own");
      }
      assigned = partition;
      KMeansConfig config = partitioned.config();
      int dim = partitioned.sample().dim();
      float[] points = partitioned.load(partition);
      BoundedAssigner assigner = new BoundedAssigner(points, points.length / dim, dim, false);
      for (int iteration = 0; iteration < config.iterations(); iteration++) {
        float[] centroids = exchange.awaitCentroids(iteration);
        exchange.publishSums(iteration, partition, assigner.assign(centroids, config.k()));
      }
      return partition;
    }
  }
}
