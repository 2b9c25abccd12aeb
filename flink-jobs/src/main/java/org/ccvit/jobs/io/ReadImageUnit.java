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
