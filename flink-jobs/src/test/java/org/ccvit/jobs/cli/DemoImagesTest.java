/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.ccvit.tokenizer.image.ImageDecoder;
import org.ccvit.tokenizer.image.ImageLimits;
import org.ccvit.tokenizer.image.RgbImage;
import org.ccvit.tokenizer.io.ImageSources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoImagesTest {
  @TempDir Path dir;

  @Test
  void withoutSharedPhotosTheDemoDrawsTheSameStructuredImagesEveryTime() throws Exception {
    Path images = DemoImages.defaultImages(dir.resolve("no-shared"), dir.resolve("out"));
    assertEquals(dir.resolve("out/synthetic-images"), images);
    List<Path> files = ImageSources.expand(List.of(images));
    assertEquals(DemoImages.COUNT, files.size());

    Path again = dir.resolve("again");
    DemoImages.write(again);
    ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults());
    Set<Integer> distinct = new java.util.HashSet<>();
    for (Path file : files) {
      byte[] bytes = Files.readAllBytes(file);
      assertArrayEquals(
          bytes, Files.readAllBytes(again.resolve(file.getFileName())), "deterministic");
      RgbImage image = decoder.decode(bytes);
      assertEquals(DemoImages.WIDTH, image.width());
      assertEquals(DemoImages.HEIGHT, image.height());
      distinct.add(java.util.Arrays.hashCode(image.chw()));
      // Structure, not noise and not flat: few distinct colours, yet more than a handful.
      Set<Integer> colours = colours(image);
      assertTrue(colours.size() > 8 && colours.size() < 20_000, file + ": " + colours.size());
    }
    assertEquals(DemoImages.COUNT, distinct.size(), "every image differs");
  }

  @Test
  void sharedPhotosWinWhenPresent() throws Exception {
    Path photos = Files.createDirectories(dir.resolve("shared/datasets/photos/images"));
    assertEquals(photos, DemoImages.defaultImages(dir.resolve("shared"), dir.resolve("out")));
    assertTrue(Files.notExists(dir.resolve("out/synthetic-images")));
  }

  private static Set<Integer> colours(RgbImage image) {
    int plane = image.width() * image.height();
    byte[] chw = image.chw();
    return java.util.stream.IntStream.range(0, plane)
        .map(
            i -> (chw[i] & 0xFF) << 16 | (chw[plane + i] & 0xFF) << 8 | (chw[2 * plane + i] & 0xFF))
        .boxed()
        .collect(Collectors.toSet());
  }
}
