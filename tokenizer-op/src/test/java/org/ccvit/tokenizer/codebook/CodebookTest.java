/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.codebook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.ccvit.schemas.CodebookRecord;
import org.ccvit.tokenizer.SharedData;
import org.ccvit.tokenizer.npy.Npy;
import org.ccvit.tokenizer.npy.NpyArray;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class CodebookTest {
  @TempDir Path tmp;

  /** Every golden case's codebook.npy, [K, 3 * P * P] as the original writes it. */
  @TestFactory
  Stream<DynamicTest> readsOriginalLayoutWithContentVersion() {
    return SharedData.goldenCasesWith("codebook.npy").stream()
        .map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> readGolden(c)));
  }

  private static void readGolden(Path goldenCase) {
    Path file = goldenCase.resolve("codebook.npy");
    NpyArray npy = Npy.read(file);
    int k = npy.shape()[0];
    int dim = npy.shape()[1];
    int patch = (int) Math.round(Math.sqrt(dim / 3.0));
    Codebook cb = Codebook.readNpy(file, patch, 3);
    assertEquals(k, cb.k());
    assertEquals(dim, cb.dim());
    assertArrayEquals(npy.toFloats(), cb.centroids());
    assertTrue(cb.version().matches("cb-[0-9a-f]{12}"), cb.version());
    assertEquals(cb.version(), Codebook.readNpy(file, patch, 3).version(), "stable");

    float[] row = new float[dim + 2];
    cb.copyCentroid(k - 1, row, 2);
    for (int i = 0; i < dim; i++) {
      assertEquals(cb.centroids()[(k - 1) * dim + i], row[2 + i]);
    }
    assertThrows(IndexOutOfBoundsException.class, () -> cb.copyCentroid(k, row, 0));
  }

  @Test
  void contentVersionDependsOnValuesAndLayout() {
    float[] a = {0.1f, 0.2f, 0.3f, 0.4f};
    float[] b = {0.1f, 0.2f, 0.3f, Math.nextUp(0.4f)};
    assertNotEquals(Codebook.contentVersion(a, 1, 1), Codebook.contentVersion(b, 1, 1));
    assertNotEquals(Codebook.contentVersion(a, 1, 1), Codebook.contentVersion(a, 2, 1));
    assertEquals(Codebook.contentVersion(a, 1, 1), Codebook.contentVersion(a.clone(), 1, 1));
  }

  @Test
  void npyAndRecordRoundTrip() {
    float[] values = new float[5 * 12];
    for (int i = 0; i < values.length; i++) {
      values[i] = i / 59f;
    }
    Codebook cb = new Codebook("v1", 5, 2, 3, values);
    Path file = tmp.resolve("centroids.npy");
    cb.writeNpy(file);
    Codebook read = Codebook.readNpy(file, 2, 3);
    assertArrayEquals(values, read.centroids());
    assertEquals(Codebook.contentVersion(values, 2, 3), read.version());

    CodebookRecord record = cb.toRecord(Map.of("seed", "7"));
    assertEquals("7", record.getProvenance().get("seed").toString());
    Codebook back = Codebook.fromRecord(record);
    assertEquals("v1", back.version());
    assertEquals(5, back.k());
    assertEquals(2, back.patchSize());
    assertEquals(3, back.channels());
    assertArrayEquals(values, back.centroids());
  }

  @Test
  void refusesWrongDtypeRankWidthAndValues() {
    Path ints = tmp.resolve("ints.npy");
    Npy.writeInt32(ints, new int[48], 1, 48);
    assertMessage(() -> Codebook.readNpy(ints, 4, 3), "ints.npy", "<i4", "float32");

    Path flat = tmp.resolve("flat.npy");
    Npy.writeFloat32(flat, new float[48], 48);
    assertMessage(() -> Codebook.readNpy(flat, 4, 3), "flat.npy", "rank 1");

    Path wide = tmp.resolve("wide.npy");
    Npy.writeFloat32(wide, new float[2 * 768], 2, 768);
    assertMessage(
        () -> Codebook.readNpy(wide, 4, 3), "wide.npy", "768", "patch size 16 with 3 channels");

    Path empty = tmp.resolve("empty.npy");
    Npy.writeFloat32(empty, new float[0], 0, 48);
    assertMessage(() -> Codebook.readNpy(empty, 4, 3), "empty.npy", "K = 0");

    float[] bad = new float[3 * 48];
    bad[2 * 48 + 5] = Float.NaN;
    Path nan = tmp.resolve("nan.npy");
    Npy.writeFloat32(nan, bad, 3, 48);
    assertMessage(() -> Codebook.readNpy(nan, 4, 3), "nan.npy", "row 2", "NaN");

    Path notNpy = tmp.resolve("garbage.npy");
    Npy.write(notNpy, new NpyArray("|u1", new int[] {2}, new byte[2]));
    assertMessage(() -> Codebook.readNpy(notNpy, 4, 3), "garbage.npy", "|u1");
  }

  @Test
  void refusesRecordWithWrongByteCount() {
    CodebookRecord record =
        CodebookRecord.newBuilder(new Codebook("v", 2, 1, 3, new float[6]).toRecord(Map.of()))
            .setCentroids(ByteBuffer.allocate(20))
            .build();
    assertMessage(() -> Codebook.fromRecord(record), "codebook record v", "24", "20");
  }

  private static void assertMessage(Runnable action, String... parts) {
    CodebookFormatException e = assertThrows(CodebookFormatException.class, action::run);
    for (String part : parts) {
      assertTrue(
          e.getMessage().contains(part), () -> "'" + part + "' missing in: " + e.getMessage());
    }
  }
}
