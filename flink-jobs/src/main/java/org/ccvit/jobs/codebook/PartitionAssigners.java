/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.codebook;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.ccvit.tokenizer.kmeans.BoundedAssigner;

/**
 * A JVM-wide cache of the subtasks' k-means state (a partition's points and its {@link
 * BoundedAssigner}, whose projection costs seconds to build and whose last assignment speeds up the
 * next), kept across the per-iteration jobs of one run. A miss (another TaskManager, a restart, a
 * new classloader) just rebuilds the state from the work directory, so results never depend on it.
 * Only one run is kept: asking for another run's partition drops the others.
 */
final class PartitionAssigners {
  private static final Map<String, Slot> SLOTS = new ConcurrentHashMap<>();

  private PartitionAssigners() {}

  /** The cached assigner of a run's partition, built with {@code load} on a miss. */
  static BoundedAssigner get(String runId, int partition, Supplier<BoundedAssigner> load) {
    String prefix = runId + "/";
    SLOTS.keySet().removeIf(key -> !key.startsWith(prefix));
    return SLOTS.computeIfAbsent(prefix + partition, key -> new Slot()).get(load);
  }

  /** Frees a run's partitions in this JVM. */
  static void release(String runId) {
    SLOTS.keySet().removeIf(key -> key.startsWith(runId + "/"));
  }

  /** Builds its assigner once; other partitions load concurrently. */
  private static final class Slot {
    private BoundedAssigner assigner;

    synchronized BoundedAssigner get(Supplier<BoundedAssigner> load) {
      if (assigner == null) {
        assigner = load.get();
      }
      return assigner;
    }
  }
}
