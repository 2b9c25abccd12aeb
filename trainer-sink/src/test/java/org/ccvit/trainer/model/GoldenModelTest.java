/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The model, its loss and its gradients against the original PyTorch code's outputs, for every
 * golden case that carries a model configuration.
 */
class GoldenModelTest {
  private static final double FORWARD_TOLERANCE = 1e-5;
  private static final double GRADIENT_TOLERANCE = 1e-4;

  @TestFactory
  Stream<DynamicTest> matchesOriginalForwardLossAndGradients() {
    return GoldenCase.withModel().stream()
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
  }

  private static void check(GoldenCase golden) {
    try (NDManager manager = NDManager.newBaseManager();
        ParameterStore store = golden.initialParameters(manager)) {
      CcvitConfig config = golden.config();
      assertEquals(
          golden.stateDictKeys(),
          stateDictOrder(store),
          "parameter and buffer names/order must equal the original state_dict");
      assertEquals(
          0,
          golden
              .array(manager, "state_dict/rel_pos_bias.relative_position_index")
              .neq(store.get("rel_pos_bias.relative_position_index"))
              .countNonzero()
              .getLong(),
          "relative position index");

      NDArray input = golden.array(manager, "input_normalized");
      NDArray masked = golden.array(manager, "bool_masked_pos");
      boolean[] loss = golden.array(manager, "loss_positions").toBooleanArray();
      NDArray positions = manager.create(CcvitModel.flatPositions(loss));
      NDArray labels = golden.array(manager, "labels_token");
      NDArray targets = golden.array(manager, "labels_pixel");

      CcvitModel model = new CcvitModel(config, store);
      List<String> report = new ArrayList<>();
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        ModelOutput out = model.forward(input, masked, positions);
        NDArray ce = CcvitLoss.crossEntropy(out.tokenLogits(), labels);
        NDArray mse = CcvitLoss.meanSquaredError(out.pixelPredictions(), targets);
        NDArray total = ce.add(mse);
        compare(
            report,
            "token_logits",
            out.tokenLogits(),
            golden.array(manager, "token_logits"),
            FORWARD_TOLERANCE);
        compare(
            report,
            "pixel_pred",
            out.pixelPredictions(),
            golden.array(manager, "pixel_pred"),
            FORWARD_TOLERANCE);
        compare(
            report, "loss_ce", ce.reshape(1), golden.array(manager, "loss_ce"), FORWARD_TOLERANCE);
        compare(
            report,
            "loss_mse",
            mse.reshape(1),
            golden.array(manager, "loss_mse"),
            FORWARD_TOLERANCE);
        compare(
            report,
            "loss_total",
            total.reshape(1),
            golden.array(manager, "loss_total"),
            FORWARD_TOLERANCE);
        long[] predicted = CcvitLoss.predictions(out.tokenLogits());
        boolean[] all = new boolean[predicted.length];
        java.util.Arrays.fill(all, true);
        assertEquals(
            golden.array(manager, "mlm_acc_1").getDouble(0),
            CcvitLoss.accuracy(predicted, labels.toLongArray(), all),
            1e-9,
            "mlm_acc_1");
        collector.backward(total);
      }
      double worstGradient = 0;
      String worstName = "";
      for (Map.Entry<String, NDArray> p : store.parameters().entrySet()) {
        NDArray expected = golden.array(manager, "grad/" + p.getKey());
        double error = GoldenCase.relativeError(p.getValue().getGradient(), expected);
        if (error > worstGradient) {
          worstGradient = error;
          worstName = p.getKey();
        }
        assertTrue(
            error <= GRADIENT_TOLERANCE, "gradient of " + p.getKey() + ": relative error " + error);
      }
      report.add("largest gradient error " + worstGradient + " (" + worstName + ")");
      System.out.println("golden " + golden.name() + ": " + String.join(", ", report));
    }
  }

  private static List<String> stateDictOrder(ParameterStore store) {
    List<String> names = new ArrayList<>(store.parameters().keySet());
    // The original registers the index buffer right after the bias table.
    names.add(
        names.indexOf("rel_pos_bias.relative_position_bias_table") + 1,
        "rel_pos_bias.relative_position_index");
    return names;
  }

  private static void compare(
      List<String> report, String what, NDArray actual, NDArray expected, double tolerance) {
    assertEquals(expected.getShape(), actual.getShape(), what + " shape");
    double error = GoldenCase.relativeError(actual, expected.toType(DataType.FLOAT32, false));
    report.add(what + " " + error);
    assertTrue(error <= tolerance, what + ": relative error " + error + " > " + tolerance);
  }
}
