/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ccvit.tokenizer.SharedData;
import org.ccvit.trainer.io.SafetensorsWeights;
import org.ccvit.trainer.model.CcvitConfig;
import org.ccvit.trainer.model.CcvitModel;
import org.ccvit.trainer.model.Initializer;
import org.ccvit.trainer.model.ParameterStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** knn, probe and finetune on a few dozen real CIFAR-10 images with a tiny model. */
class EvalCommandsTest {
  private static final Pattern TOP1 = Pattern.compile("(?m)^top1=(\\d+\\.\\d\\d)$");

  @TempDir Path dir;

  private List<String> args(String command, String weights, String json, String... more) {
    Path train = SharedData.dataset("cifar10/train-00000.tar.gz");
    Path test = SharedData.dataset("cifar10/test-00000.tar.gz");
    List<String> a =
        new ArrayList<>(
            List.of(
                command,
                "--model",
                "tiny",
                "--image-size",
                "32",
                "--patch-size",
                "4",
                "--weights",
                weights,
                "--seed",
                "3",
                "--train",
                train.toString(),
                "--train-limit",
                "48",
                "--test",
                test.toString(),
                "--test-limit",
                "24",
                "--json",
                dir.resolve(json).toString()));
    a.addAll(List.of(more));
    return a;
  }

  /** Runs the command line, returning its standard output. */
  private static String run(List<String> args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      assertEquals(0, Ccvit.commandLine().execute(args.toArray(String[]::new)), args.toString());
    } finally {
      System.setOut(saved);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    saved.print(text);
    return text;
  }

  private JsonNode result(String stdout, String json) throws Exception {
    Matcher m = TOP1.matcher(stdout);
    assertTrue(m.find(), "no top1=NN.NN line in:\n" + stdout);
    JsonNode node = new ObjectMapper().readTree(dir.resolve(json).toFile());
    assertEquals(Double.parseDouble(m.group(1)), node.get("top1").asDouble(), 0.005);
    double top1 = node.get("top1").asDouble();
    assertTrue(top1 >= 0 && top1 <= 100, "top1 " + top1);
    assertEquals(48, node.get("train_images").asInt());
    assertEquals(24, node.get("test_images").asInt());
    return node;
  }

  @Test
  void knnAndProbeOnRandomAndOnSavedWeights() throws Exception {
    JsonNode random = result(run(args("knn", "random", "knn-random.json")), "knn-random.json");
    assertTrue(random.get("mean_top5").asDouble() >= random.get("mean_top1").asDouble());
    assertTrue(random.has("cls_top1"));

    // The same seed's initialisation saved as a pre-training weights file (with its heads) gives
    // the same features, so the same accuracies; another seed gives other features.
    CcvitConfig config = CcvitConfig.tiny(32, 4, 16);
    Path weights = dir.resolve("weights.safetensors");
    try (NDManager manager = NDManager.newBaseManager();
        ParameterStore store = CcvitModel.newParameters(config, manager)) {
      Initializer.initialize(store, config, 3);
      SafetensorsWeights.save(store, weights);
    }
    JsonNode saved = result(run(args("knn", dir.toString(), "knn-saved.json")), "knn-saved.json");
    assertEquals(random.get("mean_top1").asDouble(), saved.get("mean_top1").asDouble());
    assertEquals(random.get("cls_top5").asDouble(), saved.get("cls_top5").asDouble());

    JsonNode probe =
        result(
            run(args("probe", "random", "probe.json", "--epochs", "5", "--batch-size", "16")),
            "probe.json");
    assertEquals(5, probe.get("epoch_train_loss").size());
  }

  @Test
  void finetuneReportsEveryEpochAndChangesTheModel() throws Exception {
    String out =
        run(
            args(
                "finetune",
                "random",
                "finetune.json",
                "--epochs",
                "2",
                "--batch-size",
                "16",
                "--warmup-steps",
                "2"));
    JsonNode node = result(out, "finetune.json");
    assertEquals(2, node.get("epochs").size());
    assertTrue(out.contains("finetune: epoch 1 "), out);
    assertTrue(out.contains("finetune: epoch 2 "), out);
    assertEquals(
        node.get("top1").asDouble(), node.get("epochs").get(1).get("top1").asDouble(), 1e-9);
    double loss1 = node.get("epochs").get(0).get("train_loss").asDouble();
    double loss2 = node.get("epochs").get(1).get("train_loss").asDouble();
    assertNotEquals(loss1, loss2);
    assertTrue(Double.isFinite(loss2) && loss2 < 3, "train loss " + loss2);
  }
}
