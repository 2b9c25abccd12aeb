/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.kafka.common.utils.AppInfoParser;
import org.ccvit.trainer.MklDispatch;
import picocli.CommandLine.IVersionProvider;

/**
 * What {@code ccvit --version} prints: this project's version and those of the stack it runs on, as
 * a bug report needs them, and whether the trainer would find a GPU.
 */
public final class Versions implements IVersionProvider {

  static final String PYTORCH = "PyTorch";

  @Override
  public String[] getVersion() {
    Engine pytorch = Engine.getEngine(PYTORCH);
    int gpus = pytorch.getGpuCount();
    return new String[] {
      "ccvit " + projectVersion(),
      "Flink " + EnvironmentInformation.getVersion(),
      "Kafka client " + AppInfoParser.getVersion(),
      "DJL " + Engine.getDjlVersion() + ", PyTorch " + pytorch.getVersion(),
      "GPU: " + (gpus > 0 ? gpus + " found (CUDA)" : "none found (CPU trainer)"),
      "MKL kernels chosen " + MklDispatch.describe(),
      "Java " + Runtime.version()
    };
  }

  static String projectVersion() {
    try (InputStream in = Versions.class.getResourceAsStream("/ccvit-version.properties")) {
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException("ccvit-version.properties is missing from the build", e);
    }
  }
}
