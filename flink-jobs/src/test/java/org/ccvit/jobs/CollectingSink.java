/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/** Test sink collecting into a static list per name (the MiniCluster runs in this JVM). */
final class CollectingSink<T> implements Sink<T> {

  private static final Map<String, List<Object>> RESULTS = new ConcurrentHashMap<>();

  private final String name;

  CollectingSink(String name) {
    this.name = name;
    RESULTS.put(name, new CopyOnWriteArrayList<>());
  }

  @SuppressWarnings("unchecked")
  List<T> results() {
    return (List<T>) RESULTS.get(name);
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) {
    List<Object> target = RESULTS.get(name);
    return new SinkWriter<>() {
      @Override
      public void write(T element, Context ctx) {
        target.add(element);
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {}
    };
  }
}
