/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.pretrain;

import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Testing: passes records through and fails its task once, at the n-th record of the task's first
 * attempt (before the trainer, a record is a sample or, rarely, a codebook version), so that Flink
 * restarts the task (and the trainer chained to it) from the last checkpoint inside the same
 * TaskManager JVM. Restarted attempts never fail.
 */
final class FailOnce<T> extends RichMapFunction<T, T> {
  private final long failAt;
  private transient long seen;

  FailOnce(long failAt) {
    this.failAt = failAt;
  }

  @Override
  public T map(T record) {
    seen++;
    if (seen == failAt && getRuntimeContext().getTaskInfo().getAttemptNumber() == 0) {
      throw new IllegalStateException("injected failure at record " + failAt + " (testing)");
    }
    return record;
  }
}
