/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * The wire format of every Kafka topic of this project: Avro single-object encoding (the marker
 * {@code C3 01}, the writer schema's 64-bit fingerprint little-endian, then the Avro binary
 * record). A record written by any version in the record's {@link SchemaHistory} is read into the
 * current class through Avro schema resolution. Bytes without the marker are what releases before
 * single-object encoding wrote (plain Avro binary of schema v1) and are read as such: every topic
 * record starts with a string, whose length can never be the varint {@code C3 01} (it is -98).
 */
public final class AvroCodec<T extends SpecificRecord> {

  /** The two bytes every single-object encoded record starts with. */
  public static final byte[] MARKER = {(byte) 0xC3, 0x01};

  /** Marker and fingerprint: what single-object encoding adds to each record. */
  public static final int HEADER_BYTES = MARKER.length + Long.BYTES;

  private static final int LEGACY_VERSION = 1;

  private final String typeName;
  private final SchemaHistory history;
  private final byte[] header;
  private final SpecificDatumWriter<T> writer;
  private final Map<Long, SpecificDatumReader<T>> readers = new HashMap<>();
  private final SpecificDatumReader<T> legacyReader;

  /** A codec over the record's history on the classpath ({@link SchemaHistory#of}). */
  public AvroCodec(Class<T> type) {
    this(type, SchemaHistory.of(type));
  }

  /**
   * A codec over the given history, which must hold the class's schema (what it writes) and v1
   * (what bytes without the marker are).
   */
  public AvroCodec(Class<T> type, SchemaHistory history) {
    this.typeName = type.getSimpleName();
    this.history = history;
    Schema current = SpecificData.get().getSchema(type);
    SchemaHistory.Version written =
        history
            .byFingerprint(SchemaNormalization.parsingFingerprint64(current))
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        typeName
                            + "'s schema is not in its history "
                            + history
                            + ": add it as the next version in schemas/src/main/"
                            + SchemaHistory.FOLDER
                            + "/"
                            + typeName));
    this.header =
        ByteBuffer.allocate(HEADER_BYTES)
            .order(ByteOrder.LITTLE_ENDIAN)
            .put(MARKER)
            .putLong(written.fingerprint())
            .array();
    this.writer = new SpecificDatumWriter<>(type);
    SpecificData data = SpecificData.getForClass(type);
    for (SchemaHistory.Version v : history.versions()) {
      readers.put(v.fingerprint(), new SpecificDatumReader<>(v.schema(), current, data));
    }
    SchemaHistory.Version legacy =
        history
            .version(LEGACY_VERSION)
            .orElseThrow(() -> new IllegalStateException(history + " has no v1"));
    this.legacyReader = readers.get(legacy.fingerprint());
  }

  public byte[] encode(T record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header);
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    try {
      writer.write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Decodes one record; throws {@link UnknownWriterSchemaException} for a fingerprint outside the
   * history, and {@link IOException} (or an Avro runtime exception) for bytes that are not a record
   * of the schema they name.
   */
  public T decode(byte[] bytes) throws IOException {
    SpecificDatumReader<T> reader = legacyReader;
    int offset = 0;
    if (bytes.length >= MARKER.length && bytes[0] == MARKER[0] && bytes[1] == MARKER[1]) {
      if (bytes.length < HEADER_BYTES) {
        throw new IOException(bytes.length + " bytes end inside the single-object header");
      }
      long fingerprint =
          ByteBuffer.wrap(bytes, MARKER.length, Long.BYTES)
              .order(ByteOrder.LITTLE_ENDIAN)
              .getLong();
      reader = readers.get(fingerprint);
      if (reader == null) {
        throw new UnknownWriterSchemaException(fingerprint, history);
      }
      offset = HEADER_BYTES;
    }
    BinaryDecoder decoder =
        DecoderFactory.get().binaryDecoder(bytes, offset, bytes.length - offset, null);
    T record = reader.read(null, decoder);
    if (!decoder.isEnd()) {
      throw new IOException(bytes.length + " bytes hold more than one " + typeName);
    }
    return record;
  }
}
