/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class AvroCodecTest {

  private final AvroCodec<ImageRecord> codec = new AvroCodec<>(ImageRecord.class);

  @Test
  void recordsAreAvroSingleObjectEncodedWithTheWriterSchemasFingerprint() throws IOException {
    ImageRecord record = image(3);
    byte[] bytes = codec.encode(record);

    assertArrayEquals(AvroCodec.MARKER, Arrays.copyOf(bytes, 2));
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(
        SchemaNormalization.parsingFingerprint64(ImageRecord.getClassSchema()), fingerprint);
    // Avro's own single-object encoder writes the same bytes, and its decoder reads ours.
    assertArrayEquals(bytes(record.toByteBuffer()), bytes);
    assertEquals(record, ImageRecord.fromByteBuffer(ByteBuffer.wrap(bytes)));
    assertEquals(record, codec.decode(bytes));
    assertEquals(PlainAvro.encode(record).length + AvroCodec.HEADER_BYTES, bytes.length);
  }

  @Test
  void aRecordOfAnEarlierSchemaIsReadWithTheDefaultsOfTheFieldsItLacks() throws IOException {
    Schema v0 = SchemaHistory.of(ImageRecord.class).version(0).orElseThrow().schema();
    GenericRecord old =
        new GenericRecordBuilder(v0)
            .set("key", "old-1")
            .set("image", ByteBuffer.wrap(new byte[] {1, 2, 3}))
            .set("format", "png")
            .set("source", "release 0")
            .build();
    byte[] bytes =
        bytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v0).encode(old));

    ImageRecord read = codec.decode(bytes);
    assertEquals("old-1", read.getKey());
    assertArrayEquals(new byte[] {1, 2, 3}, bytes(read.getImage()));
    assertEquals("png", read.getFormat());
    assertEquals("release 0", read.getSource());
    assertNull(read.getLabel());
  }

  @Test
  void bytesWithoutTheMarkerArePlainAvroAsTheReleaseBeforeWroteThem() throws IOException {
    ImageRecord record = image(7);
    assertEquals(record, codec.decode(PlainAvro.encode(record)));
    assertEquals(image(null), codec.decode(PlainAvro.encode(image(null))));
  }

  @Test
  void anUnknownFingerprintIsRefusedWithTheFingerprint() {
    byte[] bytes = codec.encode(image(1));
    ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(0x0123456789abcdefL);

    UnknownWriterSchemaException e =
        assertThrows(UnknownWriterSchemaException.class, () -> codec.decode(bytes));
    assertEquals(0x0123456789abcdefL, e.fingerprint());
    assertTrue(e.getMessage().contains("fingerprint 0x0123456789abcdef"), e.getMessage());
  }

  @Test
  void trailingBytesAndACutHeaderAreRefused() {
    byte[] bytes = codec.encode(image(1));
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertTrue(
        assertThrows(IOException.class, () -> codec.decode(longer))
            .getMessage()
            .contains("more than one"));
    byte[] cut = Arrays.copyOf(bytes, 6);
    assertTrue(
        assertThrows(IOException.class, () -> codec.decode(cut)).getMessage().contains("header"));
  }

  @Test
  void aClassWhoseSchemaIsNotInTheHistoryIsRefused() {
    SchemaHistory onlyV0 =
        new SchemaHistory(
            ImageRecord.class.getName(),
            List.of(SchemaHistory.of(ImageRecord.class).version(0).orElseThrow()));
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> new AvroCodec<>(ImageRecord.class, onlyV0));
    assertTrue(e.getMessage().contains("add it as the next version"), e.getMessage());
  }

  private static ImageRecord image(Integer label) {
    return ImageRecord.newBuilder()
        .setKey("k-" + label)
        .setImage(ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xd8, 9, 9}))
        .setFormat("jpg")
        .setLabel(label)
        .setSource("test")
        .build();
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }
}
