/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs;

import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.flink.api.dag.Pipeline;
import org.apache.flink.client.deployment.executors.PipelineExecutorUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.MiniClusterJobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * One local MiniCluster for many short jobs. A local environment starts a new MiniCluster for every
 * job (2-3 s here), which would dominate a driver loop of one small job per k-means iteration; this
 * cluster starts once, and its environments submit to it. Jobs run in this JVM, so JVM-wide caches
 * of the tasks survive from one job to the next.
 */
public final class ReusableMiniCluster implements AutoCloseable {
  private static final String TARGET = "ccvit-reusable-minicluster";

  private final MiniCluster cluster;
  private final Configuration configuration;

  private ReusableMiniCluster(MiniCluster cluster, Configuration configuration) {
    this.cluster = cluster;
    this.configuration = configuration;
  }

  /** Whether jobs of this environment would each start their own local MiniCluster. */
  public static boolean isLocal(StreamExecutionEnvironment env) {
    return "local".equals(env.getConfiguration().get(DeploymentOptions.TARGET));
  }

  /**
   * Starts a cluster with one TaskManager of {@code slots} slots.
   *
   * @param settings Flink settings for the cluster and its jobs, e.g. a local environment's
   */
  public static ReusableMiniCluster start(ReadableConfig settings, int slots) throws Exception {
    Configuration configuration = Configuration.fromMap(settings.toMap());
    configuration.set(DeploymentOptions.TARGET, TARGET);
    if (!configuration.contains(RestOptions.BIND_PORT)) {
      // Any free port, as a local environment's own MiniCluster: several may run on one machine.
      configuration.set(RestOptions.BIND_PORT, "0");
    }
    MiniCluster cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(configuration)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build());
    cluster.start();
    return new ReusableMiniCluster(cluster, configuration);
  }

  /** Jobs submitted from one piece of client code, e.g. the iterations of the codebook job. */
  @FunctionalInterface
  public interface Jobs<T> {
    T run(StreamExecutionEnvironment env) throws Exception;
  }

  /**
   * Runs the jobs on {@code env}, or, when it is local, all of them on one MiniCluster kept up
   * until the last has finished (a local environment would start and stop one per job, and a
   * collect iterator can then no longer reach the finished job).
   */
  public static <T> T runJobs(StreamExecutionEnvironment env, Jobs<T> jobs) throws Exception {
    if (!isLocal(env)) {
      return jobs.run(env);
    }
    int parallelism = env.getParallelism();
    try (ReusableMiniCluster cluster = start(env.getConfiguration(), parallelism)) {
      return jobs.run(cluster.environment(parallelism));
    }
  }

  /** A new environment whose jobs run on this cluster. */
  public StreamExecutionEnvironment environment(int parallelism) {
    StreamExecutionEnvironment env =
        new StreamExecutionEnvironment(
            new Executors(), configuration, Thread.currentThread().getContextClassLoader());
    env.setParallelism(parallelism);
    return env;
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }

  /** Submits every pipeline to {@link #cluster}. */
  private final class Executors
      implements PipelineExecutorServiceLoader, PipelineExecutorFactory, PipelineExecutor {
    @Override
    public PipelineExecutorFactory getExecutorFactory(Configuration configuration) {
      return this;
    }

    @Override
    public Stream<String> getExecutorNames() {
      return Stream.of(TARGET);
    }

    @Override
    public String getName() {
      return TARGET;
    }

    @Override
    public boolean isCompatibleWith(Configuration configuration) {
      return TARGET.equals(configuration.get(DeploymentOptions.TARGET));
    }

    @Override
    public PipelineExecutor getExecutor(Configuration configuration) {
      return this;
    }

    @Override
    public CompletableFuture<JobClient> execute(
        Pipeline pipeline, Configuration configuration, ClassLoader userCodeClassloader)
        throws Exception {
      StreamGraph graph = PipelineExecutorUtils.getStreamGraph(pipeline, configuration);
      graph.serializeUserDefinedInstances();
      return cluster
          .submitJob(graph)
          .thenApply(
              submitted ->
                  new MiniClusterJobClient(
                      submitted.getJobID(),
                      cluster,
                      userCodeClassloader,
                      MiniClusterJobClient.JobFinalizationBehavior.NOTHING));
    }
  }
}
