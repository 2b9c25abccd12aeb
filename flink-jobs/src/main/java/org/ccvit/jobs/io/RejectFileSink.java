/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.io;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.ccvit.schemas.RejectRecord;

/**
 * Appends rejects as tab-separated lines (key, stage, reason, source) to a file, for runs without a
 * reject topic. Each subtask writes its own file {@code rejects-<subtask>.tsv}.
 */
public final class RejectFileSink implements Sink<RejectRecord> {

  private final String directory;

  public RejectFileSink(Path directory) {
    this.directory = directory.toString();
  }

  @Override
  public SinkWriter<RejectRecord> createWriter(WriterInitContext context) throws IOException {
    Path dir = Path.of(directory);
    Files.createDirectories(dir);
    int subtask = context.getTaskInfo().getIndexOfThisSubtask();
    BufferedWriter writer =
        Files.newBufferedWriter(
            dir.resolve("rejects-" + subtask + ".tsv"),
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
    return new SinkWriter<>() {
      @Override
      public void write(RejectRecord reject, Context ctx) throws IOException {
        writer.write(
            String.join(
                "\t",
                clean(reject.getKey()),
                clean(reject.getStage()),
                clean(reject.getReason()),
                clean(reject.getSource())));
        writer.newLine();
      }

      @Override
      public void flush(boolean endOfInput) throws IOException {
        writer.flush();
      }

      @Override
      public void close() throws IOException {
        writer.close();
      }
    };
  }

  private static String clean(String field) {
    return field.replace('\t', ' ').replace('\n', ' ');
  }
}
