/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;

/**
 * Every released version of one record's schema, numbered from 1 and identified by its Avro 64-bit
 * parsing fingerprint (CRC-64-AVRO of the canonical form), as single-object encoding names the
 * writer schema. Released versions live in {@code schemas/src/main/avro-history/<Record>/vN.avsc}
 * and never change; a release that changes a schema adds the next file.
 */
public final class SchemaHistory {

  /** The classpath folder that holds one sub-folder of {@code vN.avsc} files per record. */
  public static final String FOLDER = "avro-history";

  private static final Pattern VERSION_FILE = Pattern.compile("v(\\d+)\\.avsc");

  /** One version: its number, schema and fingerprint. */
  public record Version(int number, Schema schema, long fingerprint) {
    public Version(int number, Schema schema) {
      this(number, schema, SchemaNormalization.parsingFingerprint64(schema));
    }

    @Override
    public String toString() {
      return "v" + number + " " + hex(fingerprint);
    }
  }

  private final String recordName;
  private final List<Version> versions;

  /** A history of the given versions (any order; numbers must be distinct). */
  public SchemaHistory(String recordName, List<Version> versions) {
    this.recordName = recordName;
    List<Version> sorted = new ArrayList<>(versions);
    sorted.sort(Comparator.comparingInt(Version::number));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).number() == sorted.get(i - 1).number()) {
        throw new IllegalArgumentException(
            recordName + " has two schemas numbered v" + sorted.get(i).number());
      }
    }
    for (Version v : sorted) {
      if (!v.schema().getFullName().equals(recordName)) {
        throw new IllegalArgumentException(
            recordName + "'s history holds a schema of " + v.schema().getFullName() + " as " + v);
      }
    }
    this.versions = Collections.unmodifiableList(sorted);
  }

  /**
   * The history of a generated record class: every {@code vN.avsc} in every {@code
   * avro-history/<SimpleName>/} folder its class loader sees (the schemas jar, and in tests their
   * resources too).
   */
  public static SchemaHistory of(Class<?> type) {
    return load(type.getName(), type.getSimpleName(), type.getClassLoader());
  }

  /** The history of a record from the {@code avro-history/<folderName>/} folders of a loader. */
  static SchemaHistory load(String recordName, String folderName, ClassLoader loader) {
    String folder = FOLDER + "/" + folderName;
    TreeMap<Integer, Version> found = new TreeMap<>();
    try {
      Enumeration<URL> roots = loader.getResources(folder);
      while (roots.hasMoreElements()) {
        for (String file : fileNames(roots.nextElement())) {
          Matcher m = VERSION_FILE.matcher(file);
          if (!m.matches()) {
            continue;
          }
          int number = Integer.parseInt(m.group(1));
          Version v = new Version(number, parse(loader, folder + "/" + file));
          Version before = found.put(number, v);
          if (before != null && before.fingerprint() != v.fingerprint()) {
            throw new IllegalStateException(
                folder + "/" + file + " is on the classpath twice with different schemas");
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (found.isEmpty()) {
      throw new IllegalStateException("no schema history for " + recordName + " in " + folder);
    }
    return new SchemaHistory(recordName, new ArrayList<>(found.values()));
  }

  public String recordName() {
    return recordName;
  }

  /** Versions in ascending order. */
  public List<Version> versions() {
    return versions;
  }

  public Optional<Version> version(int number) {
    return versions.stream().filter(v -> v.number() == number).findFirst();
  }

  public Optional<Version> byFingerprint(long fingerprint) {
    return versions.stream().filter(v -> v.fingerprint() == fingerprint).findFirst();
  }

  public Version latest() {
    return versions.get(versions.size() - 1);
  }

  /**
   * Why a reader of each version could not read data of some earlier version (Avro schema
   * resolution); empty when every version is backward compatible with all before it.
   */
  public List<String> incompatibilities() {
    List<String> problems = new ArrayList<>();
    for (int r = 1; r < versions.size(); r++) {
      Version reader = versions.get(r);
      for (int w = 0; w < r; w++) {
        Version writer = versions.get(w);
        SchemaCompatibility.SchemaPairCompatibility pair =
            SchemaCompatibility.checkReaderWriterCompatibility(reader.schema(), writer.schema());
        if (pair.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
          problems.add(
              recordName
                  + " v"
                  + reader.number()
                  + " cannot read v"
                  + writer.number()
                  + ": "
                  + pair.getResult().getIncompatibilities().stream()
                      .map(i -> i.getType() + " " + i.getMessage() + " at " + i.getLocation())
                      .toList());
        }
      }
    }
    return problems;
  }

  /** A fingerprint as single-object encoding's header shows it, e.g. {@code 0x1a2b...}. */
  public static String hex(long fingerprint) {
    return String.format(Locale.ROOT, "0x%016x", fingerprint);
  }

  @Override
  public String toString() {
    return recordName + " " + versions;
  }

  private static Schema parse(ClassLoader loader, String resource) throws IOException {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("cannot read " + resource);
      }
      return new Schema.Parser().parse(in);
    }
  }

  /** The names of the files directly in a classpath folder, in a directory or in a jar. */
  private static List<String> fileNames(URL folder) throws IOException {
    if ("jar".equals(folder.getProtocol())) {
      JarURLConnection connection = (JarURLConnection) folder.openConnection();
      // A private JarFile: closing the cached one would close the class loader's.
      connection.setUseCaches(false);
      String prefix = connection.getEntryName() + "/";
      List<String> names = new ArrayList<>();
      try (JarFile jar = connection.getJarFile()) {
        for (JarEntry e : Collections.list(jar.entries())) {
          String rest =
              e.getName().startsWith(prefix) ? e.getName().substring(prefix.length()) : "";
          if (!rest.isEmpty() && !rest.contains("/")) {
            names.add(rest);
          }
        }
      }
      return names;
    }
    try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
      return files.map(p -> p.getFileName().toString()).toList();
    } catch (URISyntaxException e) {
      throw new IOException("unreadable classpath folder " + folder, e);
    }
  }
}
