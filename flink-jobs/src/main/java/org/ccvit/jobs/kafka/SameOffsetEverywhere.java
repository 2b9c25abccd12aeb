/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.kafka;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;

/**
 * One offset for every partition, whichever partitions the source finds: a bounded read that ends
 * at a fixed offset which need not be written yet when the job starts (a reproducible run).
 */
public final class SameOffsetEverywhere implements OffsetsInitializer {
  private final long offset;

  public SameOffsetEverywhere(long offset) {
    this.offset = offset;
  }

  @Override
  public Map<TopicPartition, Long> getPartitionOffsets(
      Collection<TopicPartition> partitions, PartitionOffsetsRetriever retriever) {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    partitions.forEach(p -> offsets.put(p, offset));
    return offsets;
  }

  @Override
  @SuppressWarnings("deprecation") // the interface of this connector version still names it
  public OffsetResetStrategy getAutoOffsetResetStrategy() {
    return OffsetResetStrategy.LATEST;
  }
}
