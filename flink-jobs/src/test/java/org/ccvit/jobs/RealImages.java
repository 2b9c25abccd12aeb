/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.SharedData;
import org.ccvit.tokenizer.io.ImageSources;

/**
 * Real images for tests: the shared Imagenette validation shard (224x224 JPEG); missing, it skips
 * the test, or fails it under CI ({@link SharedData}).
 */
public final class RealImages {

  private RealImages() {}

  /** The first {@code count} images of the shard, in a list the caller may extend. */
  public static List<ImageRecord> imagenetteValidation(int count) throws IOException {
    Path shard = SharedData.dataset("imagenette-224/val-00000.tar.gz");
    List<ImageRecord> images = new ArrayList<>();
    ImageSources.readAll(List.of(shard), count, images::add);
    return images;
  }
}
