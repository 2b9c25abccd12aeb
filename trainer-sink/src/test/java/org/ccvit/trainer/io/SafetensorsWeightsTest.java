/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.ccvit.trainer.model.CcvitConfig;
import org.ccvit.trainer.model.CcvitModel;
import org.ccvit.trainer.model.GoldenCase;
import org.ccvit.trainer.model.Initializer;
import org.ccvit.trainer.model.ParameterStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWeightsTest {
  private static final CcvitConfig TINY = CcvitConfig.tiny(32, 4, 64);

  @TempDir Path dir;

  @Test
  void roundTripRestoresEveryArray() {
    Path file = dir.resolve("w.safetensors");
    try (NDManager manager = NDManager.newBaseManager();
        ParameterStore saved = CcvitModel.newParameters(TINY, manager);
        ParameterStore loaded = CcvitModel.newParameters(TINY, manager)) {
      Initializer.initialize(saved, TINY, 1);
      Initializer.initialize(loaded, TINY, 2);
      SafetensorsWeights.save(saved, file);
      SafetensorsWeights.load(loaded, file);
      assertSame(saved, loaded);
    }
  }

  @Test
  void savedFileHasThePermissionsOfAnyNewFile() throws IOException {
    Path file = dir.resolve("w.safetensors");
    Path reference = Files.writeString(dir.resolve("reference.txt"), "created under the umask");
    try (NDManager manager = NDManager.newBaseManager();
        ParameterStore store = CcvitModel.newParameters(TINY, manager)) {
      Initializer.initialize(store, TINY, 1);
      SafetensorsWeights.save(store, file);
    }
    assertEquals(
        PosixFilePermissions.toString(Files.getPosixFilePermissions(reference)),
        PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
  }

  @Test
  void fileIsPlainSafetensorsWithOriginalNames() throws IOException {
    Path file = dir.resolve("w.safetensors");
    try (NDManager manager = NDManager.newBaseManager();
        ParameterStore store = CcvitModel.newParameters(TINY, manager)) {
      Initializer.initialize(store, TINY, 1);
      SafetensorsWeights.save(store, file);
      byte[] bytes = Files.readAllBytes(file);
      long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      JsonNode header =
          new ObjectMapper()
              .readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
      JsonNode qkv = header.get("blocks.0.attn.qkv.weight");
      assertEquals("F32", qkv.get("dtype").asText());
      assertEquals("[192,64]", qkv.get("shape").toString());
      assertEquals("I64", header.get("rel_pos_bias.relative_position_index").get("dtype").asText());
      assertEquals(8 + headerLength + 4 * store.parameterCount() + 8 * 65L * 65, bytes.length);
    }
  }

  @Test
  void refusesWeightsOfAnotherConfigurationListingEveryMismatch() {
    Path file = dir.resolve("w.safetensors");
    CcvitConfig otherVocab = CcvitConfig.tiny(32, 4, 32);
    CcvitConfig otherImage = CcvitConfig.tiny(16, 4, 64);
    try (NDManager manager = NDManager.newBaseManager();
        ParameterStore saved = CcvitModel.newParameters(TINY, manager);
        ParameterStore vocab = CcvitModel.newParameters(otherVocab, manager);
        ParameterStore image = CcvitModel.newParameters(otherImage, manager)) {
      Initializer.initialize(saved, TINY, 1);
      SafetensorsWeights.save(saved, file);
      float[] before = vocab.get("blocks.0.attn.qkv.weight").toFloatArray();

      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> SafetensorsWeights.load(vocab, file));
      assertTrue(e.getMessage().contains("2 mismatches"), e.getMessage());
      assertTrue(
          e.getMessage()
              .contains("lm_head.weight: file has float32(64, 64), model needs float32(32, 64)"),
          e.getMessage());
      assertTrue(e.getMessage().contains("lm_head.bias"), e.getMessage());
      // Nothing was loaded.
      assertArrayEquals(before, vocab.get("blocks.0.attn.qkv.weight").toFloatArray());

      e = assertThrows(IllegalArgumentException.class, () -> SafetensorsWeights.load(image, file));
      assertTrue(
          e.getMessage().contains("rel_pos_bias.relative_position_bias_table"), e.getMessage());
      assertTrue(e.getMessage().contains("rel_pos_bias.relative_position_index"), e.getMessage());
    }
  }

  @Test
  void refusesMissingAndUnexpectedNames() {
    Path file = dir.resolve("w.safetensors");
    CcvitConfig deeper = new CcvitConfig(32, 4, 3, 64, 5, 4, 4.0, 64, 3, 2, 0.1, 0.02, 1e-6);
    try (NDManager manager = NDManager.newBaseManager();
        ParameterStore saved = CcvitModel.newParameters(deeper, manager);
        ParameterStore target = CcvitModel.newParameters(TINY, manager)) {
      SafetensorsWeights.save(saved, file);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> SafetensorsWeights.load(target, file));
      assertTrue(e.getMessage().contains("unexpected blocks.4.mlp.fc2.bias"), e.getMessage());
      assertTrue(e.getMessage().contains("15 mismatches"), e.getMessage());
    }
  }

  @Test
  void goldenStateDictExportsAndReimportsUnchanged() {
    for (GoldenCase golden : GoldenCase.withModel()) {
      Path file = dir.resolve(golden.name() + ".safetensors");
      try (NDManager manager = NDManager.newBaseManager();
          ParameterStore imported = golden.initialParameters(manager);
          ParameterStore reimported = CcvitModel.newParameters(golden.config(), manager)) {
        SafetensorsWeights.save(imported, file);
        SafetensorsWeights.load(reimported, file);
        assertSame(imported, reimported);
        for (String key : golden.stateDictKeys()) {
          assertTrue(
              golden.array(manager, "state_dict/" + key).contentEquals(reimported.get(key)), key);
        }
      }
    }
  }

  private static void assertSame(ParameterStore expected, ParameterStore actual) {
    assertEquals(expected.parameters().keySet(), actual.parameters().keySet());
    expected
        .parameters()
        .forEach(
            (name, array) ->
                assertTrue(
                    Arrays.equals(array.toFloatArray(), actual.get(name).toFloatArray()), name));
    expected
        .buffers()
        .forEach((name, array) -> assertTrue(array.contentEquals(actual.get(name)), name));
  }
}
