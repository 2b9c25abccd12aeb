/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReusableMiniClusterTest {

  @TempDir Path tmp;

  @Test
  void severalClustersRunAtOnceAsLocalEnvironmentsDo() throws Exception {
    StreamExecutionEnvironment settings = FlinkEnvironments.create(1, tmp.toString(), 0);
    try (ReusableMiniCluster first = ReusableMiniCluster.start(settings.getConfiguration(), 1);
        ReusableMiniCluster second = ReusableMiniCluster.start(settings.getConfiguration(), 1)) {
      assertEquals(List.of(1, 2), run(first), "first cluster");
      assertEquals(List.of(1, 2), run(second), "second cluster");
    }
  }

  private static List<Integer> run(ReusableMiniCluster cluster) throws Exception {
    StreamExecutionEnvironment env = cluster.environment(1);
    try (CloseableIterator<Integer> out =
        env.fromData(1, 2).map(x -> x).returns(Types.INT).executeAndCollect()) {
      List<Integer> values = new java.util.ArrayList<>();
      out.forEachRemaining(values::add);
      return values;
    }
  }
}
