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
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.ccvit.schemas.ImageRecord;

/**
 * Reads users' image data as {@link ImageRecord}s. A unit is one image file (jpg, jpeg, png) or one
 * WebDataset shard (.tar, .tar.gz, .tgz) whose members are grouped by key: {@code KEY.jpg|jpeg|png}
 * holds the image and {@code KEY.cls} an optional ASCII class index. Shards are streamed member by
 * member, never loaded whole.
 */
public final class ImageSources {
  private static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png");
  private static final int BUFFER_BYTES = 1 << 16;

  private ImageSources() {}

  /**
   * The units behind the given inputs, in order: image files and shards as given, folders expanded
   * recursively to their image files and shards sorted by relative path (hidden files skipped).
   *
   * @throws IllegalArgumentException for a missing path, an unsupported file or an empty folder
   * @throws UncheckedIOException if a folder cannot be listed
   */
  public static List<Path> expand(List<Path> inputs) {
    List<Path> units = new ArrayList<>();
    for (Path input : inputs) {
      if (Files.isDirectory(input)) {
        List<Path> found = listFolder(input);
        if (found.isEmpty()) {
          throw new IllegalArgumentException(
              "folder " + input + " contains no .jpg, .jpeg, .png, .tar, .tar.gz or .tgz files");
        }
        units.addAll(found);
      } else if (Files.isRegularFile(input)) {
        if (!isImage(input) && !isShard(input)) {
          throw new IllegalArgumentException(
              "unsupported input file "
                  + input
                  + ": expected an image (.jpg, .jpeg, .png), a WebDataset shard (.tar, .tar.gz,"
                  + " .tgz) or a folder");
        }
        units.add(input);
      } else {
        throw new IllegalArgumentException("input " + input + " does not exist");
      }
    }
    return units;
  }

  /**
   * Streams the records of one unit. An image file gives one record keyed by its file name without
   * extension; a shard gives one record per key that has an image member (keys with only other
   * members, e.g. metadata, are skipped).
   *
   * @throws IOException if the unit cannot be read or a shard is malformed (two images for one key,
   *     a .cls member that is not an integer)
   */
  public static void read(Path unit, Consumer<ImageRecord> out) throws IOException {
    readUnit(
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

  private static void readUnit(Path unit, Sink sink) throws IOException {
    if (isShard(unit)) {
      readShard(unit, sink);
    } else if (isImage(unit)) {
      String name = unit.getFileName().toString();
      int dot = name.lastIndexOf('.');
      sink.accept(
          record(name.substring(0, dot), extension(name), Files.readAllBytes(unit), null, unit));
    } else {
      throw new IllegalArgumentException(
          "unsupported unit " + unit + ": expected an image file or a WebDataset shard");
    }
  }

  private static void readShard(Path shard, Sink sink) throws IOException {
    try (InputStream file = new BufferedInputStream(Files.newInputStream(shard), BUFFER_BYTES);
        InputStream raw = isGzip(shard) ? new GzipCompressorInputStream(file, true) : file;
        TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
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
          continue; // no extension: not part of any WebDataset sample
        }
        String key = name.substring(0, dot);
        String ext = name.substring(dot + 1).toLowerCase(Locale.ROOT);
        if (sample == null || !sample.key.equals(key)) {
          if (sample != null && !sample.emit(shard, sink)) {
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
        }
      }
      if (sample != null) {
        sample.emit(shard, sink);
      }
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

    /** Returns whether reading should go on. */
    boolean emit(Path shard, Sink sink) {
      return image == null || sink.accept(record(key, format, image, label, shard));
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

  private static List<Path> listFolder(Path folder) {
    try (Stream<Path> files = Files.walk(folder)) {
      return files
          .filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .filter(p -> isImage(p) || isShard(p))
          .sorted(Comparator.comparing(p -> folder.relativize(p).toString()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list folder " + folder, e);
    }
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

  private static String extension(String fileName) {
    int dot = fileName.lastIndexOf('.');
    return dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
  }
}
