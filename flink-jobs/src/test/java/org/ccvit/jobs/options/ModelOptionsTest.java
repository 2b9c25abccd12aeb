/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.stream.Collectors;
import org.ccvit.jobs.cli.Ccvit;
import org.ccvit.tokenizer.TokenizerConfig;
import org.ccvit.trainer.model.CcvitConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class ModelOptionsTest {

  private static ModelOptions parse(String... args) {
    ModelOptions o = new ModelOptions();
    new CommandLine(o).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
    return o;
  }

  @Test
  void cifarPresetIsTheCifarModelOnAnEightByEightGridWithTheOriginalsMaskShare() {
    CcvitConfig c = parse("--model", "cifar").model(1024);
    assertEquals(CcvitConfig.cifar(1024), c);
    assertEquals(32, c.imgSize());
    assertEquals(8, c.gridSize());
    assertEquals(192, c.embedDim());
    assertEquals(6, c.depth());
    assertEquals(3, c.numHeads());
    assertEquals(4, c.earlyLayers());
    // The original masks 75 and replaces 20 of 196 patches; the counts keep that share, rounded
    // down: 64 * 75 / 196 = 24.5 -> 24, 64 * 20 / 196 = 6.5 -> 6.
    TokenizerConfig t = TokenizerConfig.forSize(c.imgSize(), c.patchSize(), 0);
    assertEquals(24, t.numMasked());
    assertEquals(6, t.numReplaced());
  }

  @Test
  void explicitSizesOverrideThePreset() {
    CcvitConfig c =
        parse(
                "--model",
                "small",
                "--embed-dim",
                "96",
                "--depth",
                "3",
                "--heads",
                "2",
                "--early-layers",
                "2",
                "--mlp-ratio",
                "2",
                "--image-size",
                "64",
                "--patch-size",
                "8")
            .model(16);
    assertEquals(new CcvitConfig(64, 8, 3, 96, 3, 2, 2.0, 16, 2, 2, 0.1, 0.02, 1e-6), c);
    assertEquals(CcvitConfig.base(8192), parse("--model", "base").model(8192));
  }

  @Test
  void sizesThatDoNotFitAreRefusedNamingWhatToChange() {
    String heads = message("--model", "cifar", "--heads", "5");
    assertTrue(heads.contains("--heads 5 does not divide --embed-dim 192"), heads);
    String early = message("--model", "base", "--depth", "6");
    assertTrue(early.contains("--early-layers 9 must be at least 1 and below --depth 6"), early);
    assertTrue(early.contains("give --early-layers between 1 and 5"), early);
    String equal = message("--model", "tiny", "--early-layers", "4");
    assertTrue(equal.contains("below --depth 4"), equal);
    String grid = message("--model", "cifar", "--patch-size", "5");
    assertTrue(grid.contains("--image-size 32 is not a multiple of --patch-size 5"), grid);
  }

  @Test
  void weightsCommandsListOnlyModelOptions() {
    CommandLine weights = Ccvit.commandLine().getSubcommands().get("weights");
    Set<String> training =
        new CommandLine(new TrainingOptions())
            .getCommandSpec().options().stream()
                .map(OptionSpec::longestName)
                .collect(Collectors.toSet());
    for (String sub : new String[] {"export", "import"}) {
      Set<String> names =
          weights.getSubcommands().get(sub).getCommandSpec().options().stream()
              .map(OptionSpec::longestName)
              .collect(Collectors.toSet());
      assertTrue(names.containsAll(Set.of("--model", "--embed-dim", "--depth", "--heads")), sub);
      for (String t : training) {
        assertFalse(names.contains(t), sub + " lists the training option " + t);
      }
    }
  }

  private static String message(String... args) {
    return assertThrows(IllegalArgumentException.class, () -> parse(args).model(1024)).getMessage();
  }
}
