/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.schemas;

import java.io.IOException;

/**
 * A single-object encoded record whose writer schema fingerprint is not in the reader's schema
 * history: written by a newer release, or by a producer with a schema of its own.
 */
public final class UnknownWriterSchemaException extends IOException {

  private final long fingerprint;

  public UnknownWriterSchemaException(long fingerprint, SchemaHistory known) {
    super(
        "written with an unknown "
            + known.recordName()
            + " schema, fingerprint "
            + SchemaHistory.hex(fingerprint)
            + " (this release reads "
            + known.versions()
            + ")");
    this.fingerprint = fingerprint;
  }

  public long fingerprint() {
    return fingerprint;
  }
}
