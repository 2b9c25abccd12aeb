/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.random.SeededDraws;

/**
 * Reads image units in a seeded random order, a new one for every pass: the units (image files,
 * shards) in a shuffled order, and the records of each shard shuffled too. A folder of image files
 * (one unit per image, e.g. ImageNet's class folders) thus comes out as a uniform permutation; a
 * shard is held in memory while its records are shuffled, nothing larger.
 *
 * @param seed the same seed and inputs give the same order
 */
public record SeededReadOrder(long seed) {

  /** The units in the order of pass {@code pass}. */
  public List<Path> units(List<Path> units, int pass) {
    List<Path> order = new ArrayList<>(units);
    SeededDraws.shuffle(order, SeededDraws.derive(seed, pass));
    return order;
  }

  /** Reads every record of the units in the order of pass {@code pass}. */
  public void read(List<Path> units, int pass, Consumer<ImageRecord> out) throws IOException {
    long passSeed = SeededDraws.derive(seed, pass);
    List<Path> order = units(units, pass);
    for (int i = 0; i < order.size(); i++) {
      List<ImageRecord> records = new ArrayList<>();
      ImageSources.read(order.get(i), records::add);
      SeededDraws.shuffle(records, SeededDraws.derive(passSeed, i + 1L));
      records.forEach(out);
    }
  }
}
