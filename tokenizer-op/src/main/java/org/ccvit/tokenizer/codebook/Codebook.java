/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.codebook;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.ccvit.schemas.CodebookRecord;
import org.ccvit.tokenizer.npy.Npy;
import org.ccvit.tokenizer.npy.NpyArray;

/**
 * K centroids of raw [0,1] patch vectors, row-major {@code [k, channels*patchSize*patchSize]}, each
 * row in C x P x P order (element {@code c*P*P + y*P + x}): the original {@code centroids.npy}
 * layout. Immutable.
 */
public final class Codebook {
  private static final String LAYOUT = "float32 [K, channels*patchSize^2], C x P x P rows";

  private final String version;
  private final int k;
  private final int patchSize;
  private final int channels;
  private final float[] centroids;

  /**
   * @param centroids row-major {@code [k, channels*patchSize*patchSize]}; kept, not copied, so the
   *     caller must not modify it afterwards
   * @throws CodebookFormatException if the sizes disagree or a value is NaN or infinite
   */
  public Codebook(String version, int k, int patchSize, int channels, float[] centroids) {
    if (version == null || version.isEmpty()) {
      throw new IllegalArgumentException("codebook version must be a non-empty string");
    }
    validate(centroids, k, patchSize, channels, "codebook " + version);
    this.version = version;
    this.k = k;
    this.patchSize = patchSize;
    this.channels = channels;
    this.centroids = centroids;
  }

  public String version() {
    return version;
  }

  public int k() {
    return k;
  }

  public int patchSize() {
    return patchSize;
  }

  public int channels() {
    return channels;
  }

  /** Length of one centroid: channels * patchSize * patchSize. */
  public int dim() {
    return channels * patchSize * patchSize;
  }

  /** The centroid matrix itself, not a copy (for speed): callers must never modify it. */
  public float[] centroids() {
    return centroids;
  }

  /** Copies centroid {@code id} into {@code dst[dstOffset .. dstOffset+dim)}. */
  public void copyCentroid(int id, float[] dst, int dstOffset) {
    if (id < 0 || id >= k) {
      throw new IndexOutOfBoundsException("centroid id " + id + " outside [0, " + k + ")");
    }
    System.arraycopy(centroids, id * dim(), dst, dstOffset, dim());
  }

  /**
   * Reads an original-layout {@code centroids.npy} (float32, 2-D {@code [K, C*P*P]}); its version
   * is {@link #contentVersion}.
   */
  public static Codebook readNpy(Path file, int patchSize, int channels) {
    String source = "codebook file " + file;
    NpyArray array;
    try {
      array = Npy.read(file);
    } catch (IllegalArgumentException e) {
      throw new CodebookFormatException(
          source + ": " + e.getMessage() + "; expected " + expected(patchSize, channels));
    }
    if (!array.dtype().equals("<f4")) {
      throw new CodebookFormatException(
          source
              + ": dtype "
              + array.dtype()
              + " but expected "
              + expected(patchSize, channels)
              + " (convert with astype(np.float32))");
    }
    int[] shape = array.shape();
    if (shape.length != 2) {
      throw new CodebookFormatException(
          source
              + ": rank "
              + shape.length
              + " (shape "
              + Arrays.toString(shape)
              + ") but expected "
              + expected(patchSize, channels));
    }
    float[] centroids = array.toFloats();
    if (shape[1] != channels * patchSize * patchSize) {
      throw widthMismatch(source, shape[1], patchSize, channels);
    }
    validate(centroids, shape[0], patchSize, channels, source);
    return new Codebook(
        contentVersion(centroids, patchSize, channels), shape[0], patchSize, channels, centroids);
  }

  /** Writes the original {@code centroids.npy} layout. */
  public void writeNpy(Path file) {
    Npy.writeFloat32(file, centroids, k, dim());
  }

  /**
   * A short stable identifier of the centroid values and layout: {@code "cb-"} and the first 12 hex
   * digits of SHA-256 over patch size, channels, K and the float32 little-endian bytes.
   */
  public static String contentVersion(float[] centroids, int patchSize, int channels) {
    ByteBuffer bytes =
        ByteBuffer.allocate(12 + 4 * centroids.length).order(ByteOrder.LITTLE_ENDIAN);
    int dim = channels * patchSize * patchSize;
    bytes.putInt(patchSize).putInt(channels).putInt(dim == 0 ? 0 : centroids.length / dim);
    for (float v : centroids) {
      bytes.putFloat(v);
    }
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes.array());
      return "cb-" + HexFormat.of().formatHex(hash, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  /** The Avro form: centroids as float32 little-endian bytes. */
  public CodebookRecord toRecord(Map<String, String> provenance) {
    ByteBuffer bytes = ByteBuffer.allocate(4 * centroids.length).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(centroids);
    return CodebookRecord.newBuilder()
        .setVersion(version)
        .setK(k)
        .setPatchSize(patchSize)
        .setChannels(channels)
        .setCentroids(bytes)
        .setProvenance(new HashMap<>(provenance))
        .build();
  }

  /** Reads the Avro form, validating it as {@link #readNpy} validates a file. */
  public static Codebook fromRecord(CodebookRecord record) {
    String version = record.getVersion().toString();
    String source = "codebook record " + version;
    int k = record.getK();
    int patchSize = record.getPatchSize();
    int channels = record.getChannels();
    ByteBuffer bytes = record.getCentroids().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long dim = (long) channels * patchSize * patchSize;
    if (k < 1 || patchSize < 1 || channels < 1 || bytes.remaining() != 4L * k * dim) {
      throw new CodebookFormatException(
          source
              + ": k="
              + k
              + ", patchSize="
              + patchSize
              + ", channels="
              + channels
              + " need "
              + 4L * k * dim
              + " centroid bytes but the record has "
              + bytes.remaining()
              + "; expected "
              + expected(patchSize, channels));
    }
    float[] centroids = new float[(int) (k * dim)];
    bytes.asFloatBuffer().get(centroids);
    validate(centroids, k, patchSize, channels, source);
    return new Codebook(version, k, patchSize, channels, centroids);
  }

  private static void validate(
      float[] centroids, int k, int patchSize, int channels, String source) {
    if (patchSize < 1 || channels < 1) {
      throw new CodebookFormatException(
          source + ": patchSize " + patchSize + " and channels " + channels + " must be >= 1");
    }
    if (k < 1) {
      throw new CodebookFormatException(
          source + ": K = " + k + " centroids, expected at least 1 in " + LAYOUT);
    }
    int dim = channels * patchSize * patchSize;
    if ((long) k * dim != centroids.length) {
      if (centroids.length % k == 0) {
        throw widthMismatch(source, centroids.length / k, patchSize, channels);
      }
      throw new CodebookFormatException(
          source
              + ": "
              + centroids.length
              + " values are not K="
              + k
              + " rows of "
              + expected(patchSize, channels));
    }
    for (int i = 0; i < centroids.length; i++) {
      if (!Float.isFinite(centroids[i])) {
        throw new CodebookFormatException(
            source
                + ": centroid row "
                + i / dim
                + " holds "
                + centroids[i]
                + " at element "
                + i % dim
                + "; expected finite values in "
                + LAYOUT);
      }
    }
  }

  private static CodebookFormatException widthMismatch(
      String source, int width, int patchSize, int channels) {
    List<String> fits = new ArrayList<>();
    for (int c = 1; c <= 4; c++) {
      int p = (int) Math.round(Math.sqrt(width / (double) c));
      if (width % c == 0 && p * p * c == width) {
        fits.add("patch size " + p + " with " + c + " channel" + (c > 1 ? "s" : ""));
      }
    }
    return new CodebookFormatException(
        source
            + ": rows have "
            + width
            + " values but expected "
            + expected(patchSize, channels)
            + (fits.isEmpty()
                ? "; that width fits no patch size for 1-4 channels"
                : "; that width would fit " + String.join(" or ", fits)));
  }

  private static String expected(int patchSize, int channels) {
    return LAYOUT
        + " = "
        + channels
        + "*"
        + patchSize
        + "^2 = "
        + channels * patchSize * patchSize
        + " values per row";
  }
}
