/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer;

/** Receives how long each stage took for one sample (Flink metrics, a benchmark's totals). */
@FunctionalInterface
public interface StageTimer {
  /** Ignores every measurement. */
  StageTimer NONE = (stage, nanos) -> {};

  void record(PipelineStage stage, long nanos);
}
