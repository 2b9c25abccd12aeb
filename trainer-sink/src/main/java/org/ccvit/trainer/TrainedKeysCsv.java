/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.ccvit.schemas.TrainingSample;

/**
 * {@code trained-keys.csv}: which samples (key, epoch) each completed optimizer step consumed, one
 * row per sample. The key is the last column, so it may itself contain commas. Like {@link
 * MetricsCsv} it is cut back to the surviving lineage on restore, so it proves exactly-once
 * training: every produced sample appears once.
 */
public final class TrainedKeysCsv implements AutoCloseable {

  public static final String HEADER = "step,epoch,key";

  private final StepCsv csv;

  /** Continues after step {@code keepThroughStep} (0: a new file). */
  public TrainedKeysCsv(Path file, long keepThroughStep) throws IOException {
    this.csv = new StepCsv(file, HEADER, keepThroughStep);
  }

  public void append(long step, List<TrainingSample> batch) throws IOException {
    for (TrainingSample s : batch) {
      csv.append(step + "," + s.getEpoch() + "," + s.getKey());
    }
  }

  @Override
  public void close() throws IOException {
    csv.close();
  }
}
