/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.twelvemonkeys.imageio.plugins.tiff.TIFFImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The job jar carries the image readers that local runs use: a cluster's {@code lib/} has Flink,
 * RocksDB and DJL, not TwelveMonkeys, so without them a cluster would refuse WebP images that a
 * local run decodes.
 */
class JobJarIT {

  @Test
  void jobJarHoldsTheImageReadersOfLocalRuns() throws IOException {
    List<String> missing = new ArrayList<>();
    try (JarFile jar = new JarFile(Path.of("target", "ccvit-job.jar").toFile())) {
      for (Class<?> reader : List.of(WebPImageReaderSpi.class, TIFFImageReaderSpi.class)) {
        String entry = reader.getName().replace('.', '/') + ".class";
        if (jar.getEntry(entry) == null) {
          missing.add(entry);
        }
      }
    }
    assertTrue(missing.isEmpty(), "target/ccvit-job.jar lacks " + missing);
  }
}
