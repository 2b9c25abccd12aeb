/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro binary encoding of one record, without a container header: the wire format of every Kafka
 * topic of this project (no schema registry; the schema is this module's).
 */
public final class AvroCodec<T extends SpecificRecord> {

  private final String typeName;
  private final SpecificDatumWriter<T> writer;
  private final SpecificDatumReader<T> reader;

  public AvroCodec(Class<T> type) {
    this.typeName = type.getSimpleName();
    this.writer = new SpecificDatumWriter<>(type);
    this.reader = new SpecificDatumReader<>(type);
  }

  public byte[] encode(T record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
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
   * Decodes one record; throws {@link IOException} (or an Avro runtime exception) for bytes that
   * are not a record of this schema.
   */
  public T decode(byte[] bytes) throws IOException {
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
    T record = reader.read(null, decoder);
    if (!decoder.isEnd()) {
      throw new IOException(bytes.length + " bytes hold more than one " + typeName);
    }
    return record;
  }
}
