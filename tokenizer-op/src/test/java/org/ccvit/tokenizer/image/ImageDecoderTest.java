/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.RejectedInputException;
import org.ccvit.tokenizer.SharedData;
import org.ccvit.tokenizer.io.ImageSources;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {
  private final ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults());

  private static Map<String, byte[]> shardImages(String shard, int limit) throws IOException {
    Map<String, byte[]> images = new HashMap<>();
    ImageSources.readAll(
        List.of(SharedData.dataset(shard)), limit, r -> images.put(r.getKey(), bytes(r)));
    return images;
  }

  private static byte[] bytes(ImageRecord r) {
    ByteBuffer b = r.getImage().duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static long sum(RgbImage img) {
    long s = 0;
    for (byte v : img.chw()) {
      s += v & 0xFF;
    }
    return s;
  }

  // Reference numbers: Pillow 9.4 (Debian python3-pil), Image.open(f).convert("RGB"), CRC-32 and
  // sum of the R, G, B planes concatenated. Both libjpeg builds use the same integer IDCT and fancy
  // upsampling, so the JDK's decode is expected to match exactly.
  @Test
  void decodesImagenetteLikePillowIncludingGrayscale() throws Exception {
    Map<String, byte[]> images = shardImages("imagenette-224/val-00000.tar.gz", 110);
    RgbImage color = decoder.decode(images.get("val_000000"));
    assertEquals(224, color.width());
    assertEquals(224, color.height());
    assertEquals(23300412L, sum(color));
    assertEquals(2022447740L, TestImages.crc(color));

    RgbImage gray = decoder.decode(images.get("val_000107"));
    assertEquals(7521273L, sum(gray));
    assertEquals(3390037832L, TestImages.crc(gray));
    byte[] chw = gray.chw();
    int plane = 224 * 224;
    assertArrayEquals(Arrays.copyOfRange(chw, 0, plane), Arrays.copyOfRange(chw, plane, 2 * plane));
    assertArrayEquals(
        Arrays.copyOfRange(chw, 0, plane), Arrays.copyOfRange(chw, 2 * plane, 3 * plane));

    for (byte[] encoded : images.values()) {
      RgbImage img = decoder.decode(encoded);
      assertEquals(224, img.width());
    }
  }

  @Test
  void decodesCifarAndPhotos() throws Exception {
    RgbImage cifar = decoder.decode(shardImages("cifar10/test-00000.tar.gz", 1).get("test_000000"));
    assertEquals(32, cifar.width());
    assertEquals(1584781645L, TestImages.crc(cifar));

    RgbImage photo =
        decoder.decode(Files.readAllBytes(SharedData.dataset("photos/images/Aqua.jpg")));
    assertEquals(1024, photo.width());
    assertEquals(640, photo.height());
    assertEquals(298687022L, sum(photo));
    assertEquals(42729237L, TestImages.crc(photo));

    RgbImage portrait =
        decoder.decode(
            Files.readAllBytes(SharedData.dataset("photos/images/Wine_by_Jakkub_Mede.jpg")));
    assertEquals(683, portrait.width());
    assertEquals(1024, portrait.height());
  }

  @Test
  void decodesPngVariantsLikePilConvertRgb() throws Exception {
    int w = 5;
    int h = 3;
    RgbImage expected = TestImages.synthetic(w, h);

    BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    BufferedImage rgba = new BufferedImage(w, h, BufferedImage.TYPE_4BYTE_ABGR);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int[] p = {expected.get(0, y, x), expected.get(1, y, x), expected.get(2, y, x)};
        rgb.getRaster().setPixel(x, y, p);
        // Alpha varies, even 0: PIL's convert("RGB") drops it without touching the colours.
        rgba.getRaster().setPixel(x, y, new int[] {p[0], p[1], p[2], (x * 60) % 256});
      }
    }
    assertArrayEquals(expected.chw(), decoder.decode(png(rgb)).chw());
    assertArrayEquals(expected.chw(), decoder.decode(png(rgba)).chw());

    byte[] reds = {0, (byte) 200, 10};
    byte[] greens = {0, 100, (byte) 250};
    byte[] blues = {0, 50, 77};
    BufferedImage palette =
        new BufferedImage(
            3, 1, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 3, reds, greens, blues));
    palette.getRaster().setPixels(0, 0, 3, 1, new int[] {2, 0, 1});
    assertArrayEquals(
        new byte[] {10, 0, (byte) 200, (byte) 250, 0, 100, 77, 0, 50},
        decoder.decode(png(palette)).chw());

    BufferedImage gray = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setPixels(0, 0, 3, 1, new int[] {0, 128, 255});
    byte[] g = {0, (byte) 128, (byte) 255};
    assertArrayEquals(concat(g, g, g), decoder.decode(png(gray)).chw());

    // Pillow opens 16-bit gray PNG as mode "I" (32-bit integers) and its convert("RGB") clips at
    // 255 (Pillow 9.4: Image.open(f).mode == "I"; 0x0100 and 0xFFFF both become 255).
    BufferedImage gray16 = new BufferedImage(5, 1, BufferedImage.TYPE_USHORT_GRAY);
    gray16.getRaster().setPixels(0, 0, 5, 1, new int[] {0, 0x0080, 0x00FF, 0x0100, 0xFFFF});
    byte[] g16 = {0, (byte) 0x80, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
    assertArrayEquals(concat(g16, g16, g16), decoder.decode(png(gray16)).chw());

    BufferedImage rgb16 =
        new BufferedImage(
            new ComponentColorModel(
                ColorSpace.getInstance(ColorSpace.CS_sRGB),
                false,
                false,
                Transparency.OPAQUE,
                DataBuffer.TYPE_USHORT),
            Raster.createInterleavedRaster(DataBuffer.TYPE_USHORT, 2, 1, 3, null),
            false,
            null);
    WritableRaster r16 = rgb16.getRaster();
    r16.setPixels(0, 0, 2, 1, new int[] {0xFFFF, 0x1234, 0x0001, 0x7F80, 0xABCD, 0x0100});
    assertArrayEquals(
        new byte[] {(byte) 0xFF, 0x7F, 0x12, (byte) 0xAB, 0x00, 0x01},
        decoder.decode(png(rgb16)).chw());
  }

  @Test
  void acceptsOnePixelImages() throws Exception {
    BufferedImage one = new BufferedImage(1, 1, BufferedImage.TYPE_3BYTE_BGR);
    one.getRaster().setPixel(0, 0, new int[] {1, 2, 3});
    assertArrayEquals(new byte[] {1, 2, 3}, decoder.decode(png(one)).chw());
    RgbImage jpeg = decoder.decode(encode(one, "jpg"));
    assertEquals(1, jpeg.width());
    assertEquals(1, jpeg.height());
  }

  @Test
  void rejectsEmptyAndNonImageBytes() {
    assertReject(new byte[0], "empty input");
    byte[] noise = new byte[4096];
    new SplittableRandom(7).nextBytes(noise);
    noise[0] = 0x12;
    assertReject(noise, "not a JPEG, PNG, GIF, BMP, TIFF or WebP image (first bytes 12");
    assertReject("GIF89a....".getBytes(), "gif");
    assertReject("RIFF\0\0\0\0WAVEfmt ".getBytes(), "not a JPEG, PNG");
    // A JPEG signature followed by garbage.
    byte[] fakeJpeg = Arrays.copyOf(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, 64);
    assertReject(fakeJpeg, "jpeg");
  }

  @Test
  void rejectsTruncatedJpegAndPng() throws Exception {
    byte[] jpeg = Files.readAllBytes(SharedData.dataset("photos/images/Aqua.jpg"));
    for (int keep : new int[] {jpeg.length - 2, jpeg.length / 2, 1000}) {
      RejectedInputException e = assertReject(Arrays.copyOf(jpeg, keep), "truncated");
      assertEquals("decode", e.stage());
    }
    byte[] png = png(new BufferedImage(64, 64, BufferedImage.TYPE_3BYTE_BGR));
    assertReject(Arrays.copyOf(png, png.length - 20), "png");
  }

  @Test
  void rejectsDecompressionBombFromTheHeaderAlone() throws Exception {
    byte[] png = png(new BufferedImage(1, 1, BufferedImage.TYPE_3BYTE_BGR));
    // Rewrite IHDR (width at offset 16, height at 20) to 100000 x 100000 with a valid CRC.
    ByteBuffer b = ByteBuffer.wrap(png);
    b.putInt(16, 100_000).putInt(20, 100_000);
    CRC32 crc = new CRC32();
    crc.update(png, 12, 17);
    b.putInt(29, (int) crc.getValue());
    long start = System.nanoTime();
    RejectedInputException e = assertReject(png, "100000x100000");
    assertTrue(e.reason().contains("16384"), e.reason());
    assertTrue(System.nanoTime() - start < 2_000_000_000L, "bomb must be rejected cheaply");

    // The same from a BMP's and a GIF's header (a GIF's logical screen is its canvas).
    ByteBuffer bmp = ByteBuffer.wrap(resource("bmp_rgb24.bmp")).order(ByteOrder.LITTLE_ENDIAN);
    bmp.putInt(18, 100_000).putInt(22, 100_000);
    assertReject(bmp.array(), "bmp header");
    ByteBuffer gif = ByteBuffer.wrap(resource("gif_palette.gif")).order(ByteOrder.LITTLE_ENDIAN);
    gif.putShort(6, (short) 60_000).putShort(8, (short) 60_000);
    assertReject(gif.array(), "gif header declares 60000x60000");
    assertTrue(System.nanoTime() - start < 2_000_000_000L, "bombs must be rejected cheaply");

    ImageDecoder small = new ImageDecoder(new ImageLimits(1 << 20, 64, 1000));
    byte[] big = png(new BufferedImage(40, 40, BufferedImage.TYPE_3BYTE_BGR));
    assertTrue(
        assertThrows(RejectedInputException.class, () -> small.decode(big))
            .reason()
            .contains("1600 pixels"));
    ImageDecoder tiny = new ImageDecoder(new ImageLimits(10, 64, 1000));
    assertTrue(
        assertThrows(RejectedInputException.class, () -> tiny.decode(big))
            .reason()
            .contains("bytes"));
  }

  @Test
  void exceptionMessageIsStageAndReason() {
    RejectedInputException e = new RejectedInputException("augment", "too small");
    assertEquals("augment: too small", e.getMessage());
    assertEquals("augment", e.stage());
    assertEquals("too small", e.reason());
  }

  private RejectedInputException assertReject(byte[] encoded, String reasonPart) {
    RejectedInputException e =
        assertThrows(RejectedInputException.class, () -> decoder.decode(encoded));
    assertEquals("decode", e.stage());
    assertTrue(
        e.reason().toLowerCase().contains(reasonPart.toLowerCase()),
        "reason \"" + e.reason() + "\" should mention \"" + reasonPart + "\"");
    return e;
  }

  /** A file of the Pillow-described set in src/test/resources/pillow-formats. */
  private static byte[] resource(String name) throws IOException {
    try (var in = ImageDecoderTest.class.getResourceAsStream("/pillow-formats/" + name)) {
      return in.readAllBytes();
    }
  }

  private static byte[] png(BufferedImage img) throws IOException {
    return encode(img, "png");
  }

  private static byte[] encode(BufferedImage img, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(img, format, out), "no ImageIO writer for " + format);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    List<Byte> all = new ArrayList<>();
    for (byte[] p : parts) {
      for (byte b : p) {
        all.add(b);
      }
    }
    byte[] out = new byte[all.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = all.get(i);
    }
    return out;
  }
}
