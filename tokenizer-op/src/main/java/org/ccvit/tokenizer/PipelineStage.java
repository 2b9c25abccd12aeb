/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer;

import java.util.Locale;

/** The stages one image passes on its way to a serialized training sample, in order. */
public enum PipelineStage {
  /** Encoded bytes to RGB pixels. */
  DECODE,
  /** Flip and RandomResizedCrop to the view size. */
  AUGMENT,
  /** Patches and their nearest-centroid ids. */
  TOKENIZE,
  /** Block mask, replaced positions and the sample record. */
  MASK,
  /** The sample record to Avro bytes. */
  SERIALIZE;

  /** Lower-case name, as used in metric names and reports. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
