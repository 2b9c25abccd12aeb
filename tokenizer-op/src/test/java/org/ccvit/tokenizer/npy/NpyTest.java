/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.ccvit.tokenizer.SharedData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
  @TempDir Path tmp;

  /** float32, int64, bool and float64 arrays of the assignment cases, checked against manifests. */
  @TestFactory
  Stream<DynamicTest> readsEveryGoldenDtype() {
    return SharedData.goldenCasesWith("codebook.npy", "ids.npy", "tie_is_exact.npy", "sqdist.npy")
        .stream()
        .map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> readAssign(c)));
  }

  private static void readAssign(Path dir) {
    JsonNode config = SharedData.manifest(dir).get("config");
    int centroids = config.get("num_centroids").asInt();
    NpyArray codebook = Npy.read(dir.resolve("codebook.npy"));
    assertEquals("<f4", codebook.dtype());
    assertArrayEquals(new int[] {centroids, config.get("dim").asInt()}, codebook.shape());
    float[] c = codebook.toFloats();
    for (float v : c) {
      assertTrue(v >= 0 && v <= 1, "codebook values are in [0,1]");
    }

    NpyArray ids = Npy.read(dir.resolve("ids.npy"));
    assertEquals("<i8", ids.dtype());
    int[] idValues = ids.toInts();
    assertEquals(config.get("num_patches").asInt(), idValues.length);
    assertTrue(Arrays.stream(idValues).allMatch(i -> i >= 0 && i < centroids));

    NpyArray tieIsExact = Npy.read(dir.resolve("tie_is_exact.npy"));
    assertEquals("|b1", tieIsExact.dtype());
    int[] exact = tieIsExact.toInts();
    JsonNode ties = SharedData.manifest(dir).get("results").get("ties");
    assertEquals(ties.size(), exact.length);
    for (JsonNode tie : ties) {
      int row = tie.get("row").asInt();
      assertEquals(tie.get("kind").asText().equals("exact_tie") ? 1 : 0, exact[row], "tie " + row);
    }

    NpyArray sqdist = Npy.read(dir.resolve("sqdist.npy"));
    assertEquals("<f8", sqdist.dtype());
    assertTrue(sqdist.toDoubles()[0] > 0);
  }

  @TestFactory
  Stream<DynamicTest> readsGoldenImagesAsUnsignedBytes() {
    return SharedData.goldenCasesWith("images_u8.npy").stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.getFileName().toString(),
                    () -> {
                      NpyArray images = Npy.read(c.resolve("images_u8.npy"));
                      assertEquals("|u1", images.dtype());
                      int[] shape = images.shape();
                      assertEquals(4, shape.length, "[B, C, H, W]");
                      assertEquals(3, shape[1]);
                      assertEquals(
                          (long) shape[0] * shape[1] * shape[2] * shape[3], images.elementCount());
                    }));
  }

  @Test
  void float32AndInt32RoundTrip() {
    float[] f = {0f, -1.5f, Float.MIN_VALUE, 3.25e7f, 1f / 3, -0f};
    Path ff = tmp.resolve("f.npy");
    Npy.writeFloat32(ff, f, 2, 3);
    NpyArray back = Npy.read(ff);
    assertEquals("<f4", back.dtype());
    assertArrayEquals(new int[] {2, 3}, back.shape());
    assertArrayEquals(f, back.toFloats());

    int[] i = {Integer.MIN_VALUE, -1, 0, 7, Integer.MAX_VALUE};
    Path fi = tmp.resolve("i.npy");
    Npy.writeInt32(fi, i, 5);
    NpyArray ib = Npy.read(fi);
    assertArrayEquals(new int[] {5}, ib.shape());
    assertArrayEquals(i, ib.toInts());
    assertEquals(-1.0, ib.toDoubles()[1]);
  }

  @Test
  void writtenHeaderIsNumpyStyleAndAligned() throws IOException {
    Path f = tmp.resolve("h.npy");
    Npy.writeFloat32(f, new float[3], 3);
    byte[] bytes = Files.readAllBytes(f);
    int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
    assertEquals(0, (10 + headerLength) % 64, "data starts 64-byte aligned");
    String header = new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1);
    assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", header.trim());
    assertTrue(header.endsWith("\n"));
  }

  @Test
  void readsVersion2And3HeadersAndScalars() {
    for (int major : new int[] {2, 3}) {
      byte[] file = npyBytes(major, "{'descr': '<i4', 'fortran_order': False, 'shape': (), }");
      NpyArray a = Npy.read(new ByteArrayInputStream(file));
      assertEquals(0, a.rank());
      assertArrayEquals(new int[] {42}, a.toInts());
    }
  }

  @Test
  void refusesFortranOrderAndUnsupportedDtypes() throws IOException {
    Path fortran = tmp.resolve("fortran.npy");
    Files.write(fortran, npyBytes(1, "{'descr': '<i4', 'fortran_order': True, 'shape': (1,), }"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Npy.read(fortran));
    assertTrue(e.getMessage().contains("fortran_order"), e.getMessage());
    assertTrue(e.getMessage().contains("fortran.npy"), e.getMessage());

    Path half = tmp.resolve("half.npy");
    Files.write(half, npyBytes(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }"));
    e = assertThrows(IllegalArgumentException.class, () -> Npy.read(half));
    assertTrue(e.getMessage().contains("half.npy") && e.getMessage().contains("<f2"));

    Path bigEndian = tmp.resolve("be.npy");
    Files.write(
        bigEndian, npyBytes(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }"));
    e = assertThrows(IllegalArgumentException.class, () -> Npy.read(bigEndian));
    assertTrue(e.getMessage().contains(">f4"));
  }

  @Test
  void refusesTruncatedAndForeignFiles() throws IOException {
    Path truncated = tmp.resolve("t.npy");
    Npy.writeFloat32(truncated, new float[10], 10);
    byte[] all = Files.readAllBytes(truncated);
    Files.write(truncated, java.util.Arrays.copyOf(all, all.length - 4));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Npy.read(truncated));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());

    Path text = tmp.resolve("x.npy");
    Files.writeString(text, "hello world, not numpy");
    e = assertThrows(IllegalArgumentException.class, () -> Npy.read(text));
    assertTrue(e.getMessage().contains("not an npy file"), e.getMessage());
  }

  @Test
  void toIntsRefusesFloatsAndOverflow() {
    NpyArray floats = new NpyArray("<f4", new int[] {1}, new byte[4]);
    assertThrows(IllegalStateException.class, floats::toInts);
    byte[] big = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array();
    NpyArray longs = new NpyArray("<i8", new int[] {1}, big);
    assertThrows(IllegalStateException.class, longs::toInts);
  }

  @Test
  void streamWriteThenReadKeepsFollowingBytes() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Npy.write(out, new NpyArray("|u1", new int[] {2, 2}, new byte[] {1, 2, (byte) 200, 4}));
    out.write(99);
    ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
    assertArrayEquals(new int[] {1, 2, 200, 4}, Npy.read(in).toInts());
    assertEquals(99, in.read());
  }

  /** A file with the given header dict, padded as numpy does, and one 4-byte element 42. */
  private static byte[] npyBytes(int major, String dict) {
    int lengthBytes = major == 1 ? 2 : 4;
    int preamble = 8 + lengthBytes;
    int total = (preamble + dict.length() + 1 + 63) / 64 * 64;
    String header = dict + " ".repeat(total - preamble - dict.length() - 1) + "\n";
    ByteBuffer b = ByteBuffer.allocate(total + 4).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    if (major == 1) {
      b.putShort((short) header.length());
    } else {
      b.putInt(header.length());
    }
    b.put(header.getBytes(StandardCharsets.ISO_8859_1)).putInt(42);
    return b.array();
  }
}
