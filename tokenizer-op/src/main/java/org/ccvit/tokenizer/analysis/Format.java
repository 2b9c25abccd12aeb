/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.analysis;

import java.math.BigDecimal;

/** Small helpers the perturbations share. */
final class Format {
  private Format() {}

  /** A number as written by hand: 1, 0.5, 25. */
  static String number(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  /** Rounds half up and clips to an unsigned byte. */
  static byte clampToByte(double value) {
    long rounded = Math.round(value);
    return (byte) Math.max(0, Math.min(255, rounded));
  }
}
