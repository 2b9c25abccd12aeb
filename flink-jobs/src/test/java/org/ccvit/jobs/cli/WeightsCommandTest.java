/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ccvit.trainer.io.SafetensorsWeights;
import org.ccvit.trainer.model.CcvitConfig;
import org.ccvit.trainer.model.CcvitModel;
import org.ccvit.trainer.model.Initializer;
import org.ccvit.trainer.model.ParameterStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class WeightsCommandTest {

  @TempDir Path dir;

  @Test
  void importThenExportKeepsEveryTensorAndRefusesAnotherConfigurationWithAllMismatches() {
    Path original = dir.resolve("pytorch.safetensors");
    try (NDManager manager = NDManager.newBaseManager();
        ParameterStore store = CcvitModel.newParameters(CcvitConfig.tiny(64, 8, 64), manager)) {
      Initializer.initialize(store, CcvitConfig.tiny(64, 8, 64), 5);
      SafetensorsWeights.save(store, original);
    }
    String[] tiny64 = {"--model", "tiny", "--image-size", "64", "--patch-size", "8"};
    assertEquals(
        0,
        run(
            "weights",
            "import",
            "--in",
            original.toString(),
            "--out",
            dir.resolve("imported").toString(),
            tiny64[0],
            tiny64[1],
            tiny64[2],
            tiny64[3],
            tiny64[4],
            tiny64[5],
            "--vocab-size",
            "64"));
    Path exported = dir.resolve("model.safetensors");
    assertEquals(
        0,
        run(
            "weights",
            "export",
            "--checkpoint",
            dir.resolve("imported").toString(),
            "--out",
            exported.toString(),
            tiny64[0],
            tiny64[1],
            tiny64[2],
            tiny64[3],
            tiny64[4],
            tiny64[5],
            "--vocab-size",
            "64"));
    assertEquals(-1, mismatch(original, exported), "same tensors, same names, same bytes");

    StringWriter err = new StringWriter();
    CommandLine cli =
        Ccvit.commandLine().setCaseInsensitiveEnumValuesAllowed(true).setErr(new PrintWriter(err));
    int code =
        cli.execute(
            "weights",
            "import",
            "--in",
            original.toString(),
            "--out",
            dir.resolve("x").toString(),
            "--model",
            "tiny",
            "--image-size",
            "64",
            "--patch-size",
            "8",
            "--vocab-size",
            "128");
    assertTrue(code != 0);
    assertTrue(err.toString().contains("do not fit the model configuration"), err.toString());
    assertTrue(err.toString().contains("lm_head.weight"), err.toString());
  }

  private static int run(String... args) {
    return Ccvit.commandLine().setCaseInsensitiveEnumValuesAllowed(true).execute(args);
  }

  private static long mismatch(Path a, Path b) {
    try {
      return Files.mismatch(a, b);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
