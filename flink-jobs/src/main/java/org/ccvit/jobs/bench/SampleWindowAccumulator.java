/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.bench;

import org.apache.flink.api.common.accumulators.Accumulator;
import org.apache.flink.api.common.accumulators.SimpleAccumulator;

/** Merges the subtasks' {@link SampleWindow}s into the job's. */
final class SampleWindowAccumulator implements SimpleAccumulator<SampleWindow> {

  private SampleWindow window = SampleWindow.EMPTY;

  @Override
  public void add(SampleWindow value) {
    window = window.merge(value);
  }

  @Override
  public SampleWindow getLocalValue() {
    return window;
  }

  @Override
  public void resetLocal() {
    window = SampleWindow.EMPTY;
  }

  @Override
  public void merge(Accumulator<SampleWindow, SampleWindow> other) {
    add(other.getLocalValue());
  }

  @Override
  public SampleWindowAccumulator clone() {
    SampleWindowAccumulator copy = new SampleWindowAccumulator();
    copy.window = window;
    return copy;
  }
}
