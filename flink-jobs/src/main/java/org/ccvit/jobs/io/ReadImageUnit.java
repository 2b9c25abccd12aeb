/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.io;

import java.nio.file.Path;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.io.ImageSources;

/** Streams the image records of one file or shard. */
final class ReadImageUnit implements FlatMapFunction<String, ImageRecord> {

  @Override
  public void flatMap(String unit, Collector<ImageRecord> out) throws Exception {
    ImageSources.read(Path.of(unit), out::collect);
  }
}
