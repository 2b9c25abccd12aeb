/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Removes embedded ICC colour profiles from JPEG and WebP bytes before decoding. Pillow's {@code
 * convert("RGB")} ignores them, but the JDK's JPEG reader and TwelveMonkeys' WebP reader convert
 * the pixels to sRGB through them (and the JDK's fails outright on some CMYK profiles). PNG and
 * TIFF readers leave pixels alone, so their bytes are returned as they are, as are bytes without a
 * profile.
 */
final class IccProfiles {
  private static final byte[] JPEG_ICC_TAG = "ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII);

  private IccProfiles() {}

  static byte[] strip(ImageFormat format, byte[] encoded) {
    return switch (format) {
      case JPEG -> stripJpeg(encoded);
      case WEBP -> stripWebp(encoded);
      default -> encoded;
    };
  }

  /** Drops APP2 "ICC_PROFILE" segments among the header segments before the first scan. */
  private static byte[] stripJpeg(byte[] b) {
    ByteArrayOutputStream out = null;
    int copied = 0;
    int at = 2;
    while (at + 4 <= b.length && (b[at] & 0xFF) == 0xFF) {
      int marker = b[at + 1] & 0xFF;
      if (marker == 0xFF) {
        at++; // fill byte
        continue;
      }
      if (marker == 0xDA || marker == 0xD9) {
        break; // start of scan or end of image: no more header segments
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        at += 2; // markers without a length
        continue;
      }
      int end = at + 2 + (((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF));
      if (end > b.length) {
        break; // cut off: let the reader report it
      }
      if (marker == 0xE2 && ImageFormat.startsWith(b, at + 4, JPEG_ICC_TAG)) {
        if (out == null) {
          out = new ByteArrayOutputStream(b.length);
        }
        out.write(b, copied, at - copied);
        copied = end;
      }
      at = end;
    }
    if (out == null) {
      return b;
    }
    out.write(b, copied, b.length - copied);
    return out.toByteArray();
  }

  /** Drops the "ICCP" chunk and clears the ICC flag of the "VP8X" header, fixing the RIFF size. */
  private static byte[] stripWebp(byte[] b) {
    int at = WebpChunks.find(b, "ICCP");
    int next = at < 0 ? -1 : WebpChunks.end(b, at);
    if (next < 0) {
      return b;
    }
    int removed = next - at;
    byte[] out = new byte[b.length - removed];
    System.arraycopy(b, 0, out, 0, at);
    System.arraycopy(b, next, out, at, b.length - next);
    ByteBuffer riff = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    riff.putInt(4, riff.getInt(4) - removed);
    if (ImageFormat.startsWith(out, 12, "VP8X".getBytes(StandardCharsets.US_ASCII))) {
      out[20] &= (byte) ~0x20; // the VP8X flag "has an ICC profile"
    }
    return out;
  }
}
