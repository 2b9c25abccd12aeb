/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A test metric reporter that keeps, per job, the final value of every counter summed over subtasks
 * by metric name (e.g. "rejects", "stageNanos.decode"). Counters are read when Flink unregisters
 * them at the end of a task, so the totals survive the MiniCluster's shutdown.
 */
public final class CounterTotals implements MetricReporter, MetricReporterFactory {

  private static final Map<String, Map<String, Long>> TOTALS = new ConcurrentHashMap<>();

  /** The settings that install this reporter. */
  static Map<String, String> configuration() {
    return Map.of("metrics.reporter.totals.factory.class", CounterTotals.class.getName());
  }

  /** Final counter totals of a finished job, by metric name; 0 for a name never seen. */
  static long total(JobID job, String name) {
    return TOTALS.getOrDefault(job.toString(), Map.of()).getOrDefault(name, 0L);
  }

  @Override
  public MetricReporter createMetricReporter(Properties properties) {
    return new CounterTotals();
  }

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {}

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
    String job = group.getAllVariables().get("<job_id>");
    if (job != null && metric instanceof Counter counter) {
      String[] scope = group.getScopeComponents();
      String qualified =
          scope.length > 0 && scope[scope.length - 1].equals("stageNanos")
              ? "stageNanos." + name
              : name;
      TOTALS
          .computeIfAbsent(job, j -> new ConcurrentHashMap<>())
          .merge(qualified, counter.getCount(), Long::sum);
    }
  }
}
