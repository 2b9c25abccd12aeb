/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build-time compatibility check: every schema change must be released as the next version of
 * its history, and a reader of each version must read every earlier one (Avro schema resolution).
 */
class SchemaHistoryTest {

  /** The records written to topics, each with a history. */
  private static final List<Class<?>> TOPIC_RECORDS =
      List.of(ImageRecord.class, CodebookRecord.class, TrainingSample.class, RejectRecord.class);

  @Test
  void everyVersionReadsEveryEarlierOne() {
    for (Class<?> type : TOPIC_RECORDS) {
      assertEquals(List.of(), SchemaHistory.of(type).incompatibilities(), type.getSimpleName());
    }
  }

  @Test
  void theCurrentSchemaIsTheLatestVersionOfItsHistory() {
    for (Class<?> type : TOPIC_RECORDS) {
      SchemaHistory history = SchemaHistory.of(type);
      Schema current = SpecificData.get().getSchema(type);
      int next = history.latest().number() + 1;
      assertEquals(
          history.latest().fingerprint(),
          SchemaNormalization.parsingFingerprint64(current),
          type.getSimpleName()
              + "'s schema changed: release it as schemas/src/main/avro-history/"
              + type.getSimpleName()
              + "/v"
              + next
              + ".avsc");
    }
  }

  @Test
  void versionsAreNumberedWithoutGaps() {
    for (Class<?> type : TOPIC_RECORDS) {
      List<SchemaHistory.Version> versions = SchemaHistory.of(type).versions();
      int first = versions.get(0).number();
      for (int i = 0; i < versions.size(); i++) {
        assertEquals(first + i, versions.get(i).number(), type.getSimpleName() + " " + versions);
      }
    }
  }

  /** Why bytes without the marker can be taken for plain Avro of v1 (see AvroCodec). */
  @Test
  void plainAvroOfV1StartsWithALengthSoItNeverLooksLikeTheMarker() {
    for (Class<?> type : TOPIC_RECORDS) {
      Schema v1 = SchemaHistory.of(type).version(1).orElseThrow().schema();
      Schema.Type first = v1.getFields().get(0).schema().getType();
      assertTrue(first == Schema.Type.STRING || first == Schema.Type.BYTES, type + ": " + first);
    }
  }

  @Test
  void aChangeThatOldRecordsCannotBeReadWithIsReported() {
    Schema v1 = SchemaHistory.of(ImageRecord.class).version(1).orElseThrow().schema();
    String json = v1.toString();
    String fields = "\"fields\":[";
    assertTrue(json.contains(fields), json);
    Schema withDefault =
        new Schema.Parser()
            .parse(
                json.replace(
                    fields,
                    fields + "{\"name\":\"licence\",\"type\":\"string\",\"default\":\"\"},"));
    Schema withoutDefault =
        new Schema.Parser()
            .parse(json.replace(fields, fields + "{\"name\":\"licence\",\"type\":\"string\"},"));
    Schema labelAsString =
        new Schema.Parser().parse(json.replace("[\"null\",\"int\"]", "[\"null\",\"string\"]"));

    assertEquals(List.of(), history(v1, withDefault).incompatibilities());
    List<String> missingDefault = history(v1, withoutDefault).incompatibilities();
    assertEquals(1, missingDefault.size(), missingDefault.toString());
    assertTrue(missingDefault.get(0).contains("v2 cannot read v1"), missingDefault.get(0));
    assertTrue(missingDefault.get(0).contains("licence"), missingDefault.get(0));
    List<String> changedType = history(v1, labelAsString).incompatibilities();
    assertEquals(1, changedType.size(), changedType.toString());
    assertTrue(changedType.get(0).contains("/fields/3/type"), changedType.get(0));
  }

  /** How a deployment sees the history: in the schemas jar, beside other folders' files. */
  @Test
  void aHistoryIsReadFromAJar(@TempDir Path tmp) throws IOException {
    Path jar = tmp.resolve("schemas.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      // With its folder entries, as Maven's jar and shade plugins write them.
      for (String entry :
          List.of(
              "ImageRecord/",
              "ImageRecord/v1.avsc",
              "ImageRecord/README",
              "ImageRecordExtra/",
              "ImageRecordExtra/v1.avsc")) {
        out.putNextEntry(new JarEntry(SchemaHistory.FOLDER + "/" + entry));
        if (!entry.endsWith("/")) {
          out.write(ImageRecord.getClassSchema().toString().getBytes(StandardCharsets.UTF_8));
        }
      }
    }
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      SchemaHistory history =
          SchemaHistory.load(ImageRecord.class.getName(), "ImageRecord", loader);
      assertEquals(1, history.versions().size());
      assertEquals(ImageRecord.getClassSchema(), history.latest().schema());
    }
  }

  private static SchemaHistory history(Schema v1, Schema v2) {
    return new SchemaHistory(
        v1.getFullName(),
        List.of(new SchemaHistory.Version(1, v1), new SchemaHistory.Version(2, v2)));
  }
}
