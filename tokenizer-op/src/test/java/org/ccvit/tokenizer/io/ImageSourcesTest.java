/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSourcesTest {
  @TempDir Path dir;

  @Test
  void readsRealShardsWithKeysLabelsAndFormats() throws IOException {
    Path cifar = SharedData.dataset("cifar10/test-00000.tar.gz");
    List<ImageRecord> records = new ArrayList<>();
    ImageSources.read(cifar, records::add);
    assertEquals(10_000, records.size());
    int[] perClass = new int[10];
    for (ImageRecord r : records) {
      assertEquals("jpg", r.getFormat());
      assertEquals(cifar.toString(), r.getSource());
      perClass[r.getLabel()]++;
    }
    assertArrayEquals(
        new int[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, perClass);
    assertEquals("test_000000", records.get(0).getKey());
    assertEquals("test_009999", records.get(9999).getKey());

    List<ImageRecord> imagenette = new ArrayList<>();
    ImageSources.readAll(
        List.of(SharedData.dataset("imagenette-224/val-00000.tar.gz")), 3, imagenette::add);
    assertEquals(List.of("val_000000", "val_000001", "val_000002"), keys(imagenette));
    byte[] first = bytes(imagenette.get(0));
    assertEquals(7031, first.length); // the member's size in the shard listing
    assertEquals(0xFF, first[0] & 0xFF);
  }

  @Test
  void groupsWebDatasetMembersByKeyAndListsWhatIsLeftOut() throws IOException {
    Map<String, byte[]> members = new LinkedHashMap<>();
    members.put("part/s1.jpg", jpegLike(1));
    members.put("part/s1.cls", "3\n".getBytes(StandardCharsets.US_ASCII));
    members.put("part/s2.png", jpegLike(2));
    members.put("part/__meta__.json", "{}".getBytes(StandardCharsets.US_ASCII));
    members.put("part/s3.cls", "5".getBytes(StandardCharsets.US_ASCII));
    members.put("part/s4.cls", " 7 ".getBytes(StandardCharsets.US_ASCII));
    members.put("part/s4.JPEG", jpegLike(4));
    members.put("part/s5.webp", jpegLike(5));
    members.put("part/s5.txt", "caption".getBytes(StandardCharsets.US_ASCII));
    members.put("part/s6.TIF", jpegLike(6));
    members.put("part/s7.gif", jpegLike(7));
    members.put("part/s8.bmp", jpegLike(8));
    members.put("part/README", "no extension".getBytes(StandardCharsets.US_ASCII));
    for (String name : new String[] {"shard.tar", "shard.tar.gz", "shard.tgz"}) {
      Path shard = writeShard(name, members);
      List<ImageRecord> records = new ArrayList<>();
      List<String> skipped = ImageSources.read(shard, records::add);
      assertEquals(
          List.of("part/s1", "part/s2", "part/s4", "part/s5", "part/s6", "part/s7", "part/s8"),
          keys(records));
      assertEquals(3, records.get(0).getLabel());
      assertEquals("jpg", records.get(0).getFormat());
      assertNull(records.get(1).getLabel());
      assertEquals("png", records.get(1).getFormat());
      assertEquals(7, records.get(2).getLabel());
      assertEquals("jpeg", records.get(2).getFormat());
      assertArrayEquals(jpegLike(4), bytes(records.get(2)));
      assertEquals("tif", records.get(4).getFormat());
      // Every member not used is accounted for: metadata, a label without an image, others.
      assertEquals(
          List.of("part/__meta__.json", "part/s3.cls", "part/s5.txt", "part/README"), skipped);
    }
  }

  @Test
  void malformedShardsFailNamingTheKey() throws IOException {
    Path badLabel = writeShard("bad.tar", Map.of("k.jpg", jpegLike(1), "k.cls", "cat".getBytes()));
    IOException e = assertThrows(IOException.class, () -> ImageSources.read(badLabel, r -> {}));
    assertTrue(e.getMessage().contains("k.cls"), e.getMessage());
    Map<String, byte[]> two = new LinkedHashMap<>();
    two.put("k.jpg", jpegLike(1));
    two.put("k.png", jpegLike(2));
    Path twoImages = writeShard("two.tar", two);
    e = assertThrows(IOException.class, () -> ImageSources.read(twoImages, r -> {}));
    assertTrue(e.getMessage().contains("two images"), e.getMessage());
  }

  @Test
  void expandsFoldersSortedListsWhatIsLeftOutAndRefusesBadInputs() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("data"));
    Files.createDirectories(folder.resolve("b/c"));
    Files.write(folder.resolve("b/c/z.png"), jpegLike(1));
    Files.write(folder.resolve("b/a.JPG"), jpegLike(2));
    Files.write(folder.resolve("a.jpeg"), jpegLike(3));
    Files.write(folder.resolve(".hidden.jpg"), jpegLike(4));
    Files.write(folder.resolve("notes.txt"), jpegLike(5));
    Files.write(folder.resolve("b/scan.TIFF"), jpegLike(6));
    Files.write(folder.resolve("b/anim.gif"), jpegLike(7));
    Files.write(folder.resolve("b/c/old.bmp"), jpegLike(8));
    Files.write(folder.resolve("b/c/web.webp"), jpegLike(9));
    Files.write(folder.resolve("b/c/layers.psd"), jpegLike(10));
    Path shard = writeShard("s.tgz", Map.of("k.jpg", jpegLike(6)));
    List<Path> units =
        List.of(
            folder.resolve("a.jpeg"),
            folder.resolve("b/a.JPG"),
            folder.resolve("b/anim.gif"),
            folder.resolve("b/c/old.bmp"),
            folder.resolve("b/c/web.webp"),
            folder.resolve("b/c/z.png"),
            folder.resolve("b/scan.TIFF"),
            shard);
    assertEquals(units, ImageSources.expand(List.of(folder, shard)));
    ImageSources.Expansion expansion = ImageSources.scan(List.of(folder, shard));
    assertEquals(units, expansion.units());
    assertEquals(
        List.of(
            folder.resolve(".hidden.jpg"),
            folder.resolve("b/c/layers.psd"),
            folder.resolve("notes.txt")),
        expansion.skipped());

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ImageSources.expand(List.of(dir.resolve("missing.jpg"))));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ImageSources.expand(List.of(folder.resolve("notes.txt"))));
    assertTrue(e.getMessage().contains("unsupported"), e.getMessage());
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertThrows(IllegalArgumentException.class, () -> ImageSources.expand(List.of(empty)));
    Path textOnly = Files.createDirectories(dir.resolve("text"));
    Files.write(textOnly.resolve("README.txt"), jpegLike(1));
    e = assertThrows(IllegalArgumentException.class, () -> ImageSources.expand(List.of(textOnly)));
    assertTrue(e.getMessage().contains("1 other files: " + textOnly.resolve("README.txt")));
  }

  @Test
  void readsImageFilesAndStopsAtTheLimit() throws IOException {
    Path image = dir.resolve("Photo.One.PNG");
    Files.write(image, jpegLike(9));
    List<ImageRecord> single = new ArrayList<>();
    ImageSources.read(image, single::add);
    assertEquals(1, single.size());
    assertEquals("Photo.One", single.get(0).getKey());
    assertEquals("png", single.get(0).getFormat());
    assertNull(single.get(0).getLabel());
    assertEquals(image.toString(), single.get(0).getSource());

    Map<String, byte[]> members = new LinkedHashMap<>();
    for (int i = 0; i < 4; i++) {
      members.put("k" + i + ".jpg", jpegLike(i));
    }
    List<Path> units = List.of(writeShard("four.tar", members), image);
    for (long limit : new long[] {2, 4, 5, 0, -1}) {
      List<ImageRecord> records = new ArrayList<>();
      ImageSources.readAll(units, limit, records::add);
      assertEquals(limit == 2 ? 2 : limit == 4 ? 4 : 5, records.size(), "limit " + limit);
    }
  }

  /** Distinct small payloads; ImageSources does not decode, so they need not be real images. */
  private static byte[] jpegLike(int id) {
    return new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) id};
  }

  private Path writeShard(String name, Map<String, byte[]> members) throws IOException {
    Path shard = dir.resolve(name);
    try (OutputStream file = Files.newOutputStream(shard);
        OutputStream raw = name.endsWith(".tar") ? file : new GzipCompressorOutputStream(file);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(raw)) {
      for (Map.Entry<String, byte[]> m : members.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(m.getKey());
        entry.setSize(m.getValue().length);
        tar.putArchiveEntry(entry);
        tar.write(m.getValue());
        tar.closeArchiveEntry();
      }
    }
    return shard;
  }

  private static List<String> keys(List<ImageRecord> records) {
    return records.stream().map(ImageRecord::getKey).toList();
  }

  private static byte[] bytes(ImageRecord r) {
    ByteBuffer b = r.getImage().duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
