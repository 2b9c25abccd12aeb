/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.ccvit.schemas.ImageRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads users' image data as {@link ImageRecord}s. A unit is one image file (a name ending in one
 * of {@link #IMAGE_EXTENSIONS}: the formats {@link org.ccvit.tokenizer.image.ImageDecoder} reads)
 * or one WebDataset shard (.tar, .tar.gz, .tgz) whose members are grouped by key: {@code KEY.<image
 * extension>} holds the image and {@code KEY.cls} an optional ASCII class index. Shards are
 * streamed member by member, never loaded whole.
 *
 * <p>Nothing is left out in silence: files of a folder and members of a shard that are not used
 * (other names, hidden files, labels without an image) are counted and listed once, in a warning at
 * the end of the folder listing or of the shard. Whether a file named as an image really is one is
 * for the decoder to say: such a file becomes a record, and a reject with its key if it is not.
 */
public final class ImageSources {
  /** File name extensions read as images (lower case; names are matched case-insensitively). */
  public static final Set<String> IMAGE_EXTENSIONS =
      Set.of("jpg", "jpeg", "jpe", "jfif", "png", "gif", "bmp", "dib", "tif", "tiff", "webp");

  private static final Logger LOG = LoggerFactory.getLogger(ImageSources.class);
  private static final int BUFFER_BYTES = 1 << 16;
  private static final int LISTED_NAMES = 20;

  private ImageSources() {}

  /** The units found behind some inputs, and the files of their folders that are left out. */
  public record Expansion(List<Path> units, List<Path> skipped) {}

  /**
   * The units behind the given inputs, in order: image files and shards as given, folders expanded
   * recursively to their image files and shards sorted by relative path. Files of a folder that are
   * neither (other names, hidden files) are left out, and listed once in a warning.
   *
   * @throws IllegalArgumentException for a missing path, an unsupported file or a folder without
   *     images or shards
   * @throws UncheckedIOException if a folder cannot be listed
   */
  public static List<Path> expand(List<Path> inputs) {
    Expansion expansion = scan(inputs);
    if (!expansion.skipped().isEmpty()) {
      LOG.warn(
          "skipped {} files that are not images ({}) or shards (.tar, .tar.gz, .tgz): {}",
          expansion.skipped().size(),
          extensionList(),
          listed(expansion.skipped().stream().map(Path::toString).toList()));
    }
    return expansion.units();
  }

  /**
   * How many images the units hold when that is known without reading them (no shards), else -1.
   */
  public static long imageCountIfKnown(List<Path> units) {
    return units.stream().anyMatch(ImageSources::isShard) ? -1 : units.size();
  }

  /** {@link #expand} without the warning: what it reads and what it leaves out. */
  public static Expansion scan(List<Path> inputs) {
    List<Path> units = new ArrayList<>();
    List<Path> skipped = new ArrayList<>();
    for (Path input : inputs) {
      if (Files.isDirectory(input)) {
        List<Path> files = listFolder(input);
        List<Path> found = files.stream().filter(ImageSources::isUnit).toList();
        files.stream().filter(p -> !isUnit(p)).forEach(skipped::add);
        if (found.isEmpty()) {
          throw new IllegalArgumentException(
              "folder "
                  + input
                  + " contains no images ("
                  + extensionList()
                  + ") or shards (.tar, .tar.gz, .tgz); it has "
                  + (files.size() == 0
                      ? "no files"
                      : files.size()
                          + " other files: "
                          + listed(files.stream().map(Path::toString).toList())));
        }
        units.addAll(found);
      } else if (Files.isRegularFile(input)) {
        if (!isImage(input) && !isShard(input)) {
          throw new IllegalArgumentException(
              "unsupported input file "
                  + input
                  + ": expected an image ("
                  + extensionList()
                  + "), a WebDataset shard (.tar, .tar.gz, .tgz) or a folder");
        }
        units.add(input);
      } else {
        throw new IllegalArgumentException("input " + input + " does not exist");
      }
    }
    return new Expansion(units, skipped);
  }

  /**
   * Streams the records of one unit. An image file gives one record keyed by its file name without
   * extension; a shard gives one record per key that has an image member. Shard members left out
   * (neither an image nor the label of one) are listed in a warning and returned.
   *
   * @return the names of the shard members left out (none for an image file)
   * @throws IOException if the unit cannot be read or a shard is malformed (two images for one key,
   *     a .cls member that is not an integer)
   */
  public static List<String> read(Path unit, Consumer<ImageRecord> out) throws IOException {
    return readUnit(
        unit,
        record -> {
          out.accept(record);
          return true;
        });
  }

  /** Reads the units in order, stopping after {@code limit} records (limit <= 0: all). */
  public static void readAll(List<Path> units, long limit, Consumer<ImageRecord> out)
      throws IOException {
    long[] remaining = {limit <= 0 ? Long.MAX_VALUE : limit};
    for (Path unit : units) {
      if (remaining[0] == 0) {
        return;
      }
      readUnit(
          unit,
          record -> {
            out.accept(record);
            return --remaining[0] > 0;
          });
    }
  }

  /** Receives records; returns false to stop reading. */
  private interface Sink {
    boolean accept(ImageRecord record);
  }

  private static List<String> readUnit(Path unit, Sink sink) throws IOException {
    if (isShard(unit)) {
      return readShard(unit, sink);
    }
    if (!isImage(unit)) {
      throw new IllegalArgumentException(
          "unsupported unit " + unit + ": expected an image file or a WebDataset shard");
    }
    String name = unit.getFileName().toString();
    int dot = name.lastIndexOf('.');
    sink.accept(
        record(name.substring(0, dot), extension(name), Files.readAllBytes(unit), null, unit));
    return List.of();
  }

  private static List<String> readShard(Path shard, Sink sink) throws IOException {
    try (InputStream file = new BufferedInputStream(Files.newInputStream(shard), BUFFER_BYTES);
        InputStream raw = isGzip(shard) ? new GzipCompressorInputStream(file, true) : file;
        TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
      List<String> skipped = new ArrayList<>();
      try {
        readMembers(shard, tar, sink, skipped);
      } finally {
        if (!skipped.isEmpty()) {
          LOG.warn(
              "shard {}: skipped {} members that are neither images ({}) nor labels of an image"
                  + " (.cls): {}",
              shard,
              skipped.size(),
              extensionList(),
              listed(skipped));
        }
      }
      return skipped;
    }
  }

  private static void readMembers(
      Path shard, TarArchiveInputStream tar, Sink sink, List<String> skipped) throws IOException {
    Sample sample = null;
    TarArchiveEntry entry;
    while ((entry = tar.getNextEntry()) != null) {
      if (!entry.isFile()) {
        continue;
      }
      String name = entry.getName();
      int slash = name.lastIndexOf('/');
      int dot = name.indexOf('.', slash + 1);
      if (dot < 0) {
        skipped.add(name); // no extension: not part of any WebDataset sample
        continue;
      }
      String key = name.substring(0, dot);
      String ext = name.substring(dot + 1).toLowerCase(Locale.ROOT);
      if (sample == null || !sample.key.equals(key)) {
        if (sample != null && !sample.emit(shard, sink, skipped)) {
          return;
        }
        sample = new Sample(key);
      }
      if (IMAGE_EXTENSIONS.contains(ext)) {
        if (sample.image != null) {
          throw new IOException(
              "shard "
                  + shard
                  + ": key "
                  + key
                  + " has two images (."
                  + sample.format
                  + " and ."
                  + ext
                  + ")");
        }
        sample.image = tar.readAllBytes();
        sample.format = ext;
      } else if (ext.equals("cls")) {
        sample.label = parseLabel(shard, key, tar.readAllBytes());
      } else {
        skipped.add(name);
      }
    }
    if (sample != null) {
      sample.emit(shard, sink, skipped);
    }
  }

  /** The members of one WebDataset key seen so far. */
  private static final class Sample {
    final String key;
    byte[] image;
    String format;
    Integer label;

    Sample(String key) {
      this.key = key;
    }

    /** Returns whether reading should go on. A label without an image is listed as skipped. */
    boolean emit(Path shard, Sink sink, List<String> skipped) {
      if (image == null) {
        if (label != null) {
          skipped.add(key + ".cls");
        }
        return true;
      }
      return sink.accept(record(key, format, image, label, shard));
    }
  }

  private static Integer parseLabel(Path shard, String key, byte[] bytes) throws IOException {
    String text = new String(bytes, StandardCharsets.US_ASCII).trim();
    try {
      return Integer.valueOf(text);
    } catch (NumberFormatException e) {
      throw new IOException(
          "shard " + shard + ": " + key + ".cls holds \"" + text + "\", expected a class index", e);
    }
  }

  private static ImageRecord record(
      String key, String format, byte[] image, Integer label, Path source) {
    return ImageRecord.newBuilder()
        .setKey(key)
        .setImage(ByteBuffer.wrap(image))
        .setFormat(format)
        .setLabel(label)
        .setSource(source.toString())
        .build();
  }

  /** Every regular file under the folder, sorted by relative path. */
  private static List<Path> listFolder(Path folder) {
    try (Stream<Path> files = Files.walk(folder)) {
      return files
          .filter(Files::isRegularFile)
          .sorted(Comparator.comparing(p -> folder.relativize(p).toString()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list folder " + folder, e);
    }
  }

  /** An image or a shard that is not hidden (a name starting with a dot). */
  private static boolean isUnit(Path p) {
    return !p.getFileName().toString().startsWith(".") && (isImage(p) || isShard(p));
  }

  private static boolean isImage(Path p) {
    return IMAGE_EXTENSIONS.contains(extension(p.getFileName().toString()));
  }

  private static boolean isShard(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".tar") || isGzip(p);
  }

  private static boolean isGzip(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".tar.gz") || name.endsWith(".tgz");
  }

  /** ".bmp, .dib, ..." in a stable order. */
  private static String extensionList() {
    return IMAGE_EXTENSIONS.stream().sorted().map(e -> "." + e).collect(Collectors.joining(", "));
  }

  /** The first names, then how many more. */
  private static String listed(List<String> names) {
    String shown = String.join(", ", names.subList(0, Math.min(LISTED_NAMES, names.size())));
    return names.size() <= LISTED_NAMES
        ? shown
        : shown + " and " + (names.size() - LISTED_NAMES) + " more";
  }

  private static String extension(String fileName) {
    int dot = fileName.lastIndexOf('.');
    return dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
  }
}
