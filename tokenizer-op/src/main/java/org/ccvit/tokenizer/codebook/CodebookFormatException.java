/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.codebook;

/** A codebook file or record that does not have the expected layout or holds bad values. */
public class CodebookFormatException extends IllegalArgumentException {
  public CodebookFormatException(String message) {
    super(message);
  }
}
