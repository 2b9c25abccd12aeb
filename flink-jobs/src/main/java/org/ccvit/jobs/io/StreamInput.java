/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.io;

import java.io.Serializable;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** A source a job takes as a constructor argument, so that tests and users can swap it. */
@FunctionalInterface
public interface StreamInput<T> extends Serializable {
  DataStream<T> create(StreamExecutionEnvironment env);
}
