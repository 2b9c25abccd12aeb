/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.options;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ccvit.tokenizer.npy.Npy;
import org.ccvit.tokenizer.npy.NpyArray;
import org.ccvit.trainer.eval.EncoderWeights;
import org.ccvit.trainer.eval.FeatureExtractor;
import org.ccvit.trainer.eval.LabeledImages;
import org.ccvit.trainer.model.CcvitConfig;
import org.ccvit.trainer.model.ParameterStore;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What every evaluation command takes: the encoder, labeled train and test images, the result. */
public final class EvalOptions {
  private static final int FEATURE_BATCH = 128;

  @Mixin public ModelOptions model;

  @Option(
      names = "--weights",
      required = true,
      description =
          "Pre-trained weights (a weights.safetensors, or a pretrain --out folder holding one),"
              + " or 'random' for the seeded initialisation of pre-training (the baseline).")
  public String weights;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of --weights random, and of any training (default: ${DEFAULT-VALUE}).")
  public long seed;

  @Option(
      names = "--train",
      arity = "1..*",
      required = true,
      description = "Labeled training images: WebDataset shards (KEY.jpg + KEY.cls) or folders.")
  public List<Path> train;

  @Option(
      names = "--test",
      arity = "1..*",
      required = true,
      description = "Labeled test images, as --train.")
  public List<Path> test;

  @Option(
      names = "--train-limit",
      defaultValue = "0",
      description = "Use only the first N training images, 0 = all (default: ${DEFAULT-VALUE}).")
  public long trainLimit;

  @Option(
      names = "--test-limit",
      defaultValue = "0",
      description = "Use only the first N test images, 0 = all (default: ${DEFAULT-VALUE}).")
  public long testLimit;

  @Option(
      names = "--json",
      description = "Write the result as JSON to this file (default: none, printed only).")
  public Path json;

  @Option(
      names = "--features-cache",
      description =
          "Keep the frozen features in this folder (.npy, named by a hash of weights, seed, model"
              + " and images) and reuse them, so that knn and probe of the same encoder extract"
              + " them once.")
  public Path featuresCache;

  /** The encoder's configuration (its K does not matter: the token head is not used). */
  public CcvitConfig config() {
    return model.model(1);
  }

  /** The encoder's parameters, from --weights or the seeded random initialisation. */
  public ParameterStore encoder(NDManager manager) {
    return EncoderWeights.load(
        config(), weights.equals("random") ? null : weightsFile(), seed, manager);
  }

  private Path weightsFile() {
    Path file = Path.of(weights);
    if (Files.isDirectory(file)) {
      file = file.resolve("weights.safetensors");
    }
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "no weights at " + file + ": give a weights file, a pretrain --out folder or 'random'");
    }
    return file;
  }

  /** Labeled training and test images with their frozen features. */
  public record Frozen(
      LabeledImages train,
      LabeledImages test,
      FeatureExtractor.Features trainFeatures,
      FeatureExtractor.Features testFeatures) {}

  /** Reads both image sets and extracts (or takes from the cache) their features. */
  public Frozen frozen() throws IOException {
    LabeledImages trainImages = readTrain();
    LabeledImages testImages = readTest();
    try (NDManager manager = NDManager.newBaseManager();
        ParameterStore encoder = encoder(manager)) {
      return new Frozen(
          trainImages,
          testImages,
          features("train", trainImages, encoder),
          features("test", testImages, encoder));
    }
  }

  /** Reads the training images, printing progress to stderr. */
  public LabeledImages readTrain() throws IOException {
    return read("train", train, trainLimit);
  }

  /** Reads the test images, printing progress to stderr. */
  public LabeledImages readTest() throws IOException {
    return read("test", test, testLimit);
  }

  private LabeledImages read(String what, List<Path> inputs, long limit) throws IOException {
    long start = System.nanoTime();
    LabeledImages images =
        LabeledImages.read(
            inputs,
            model.imageSize(),
            limit,
            n -> System.err.printf(Locale.ROOT, "%s: %d images decoded%n", what, n));
    System.err.printf(
        Locale.ROOT,
        "%s: %d images, %d classes (%.1f s)%n",
        what,
        images.count(),
        images.numClasses(),
        (System.nanoTime() - start) / 1e9);
    return images;
  }

  /**
   * Frozen features of the training ("train") or test ("test") images, from --features-cache when
   * it holds them, printing progress to stderr.
   */
  public FeatureExtractor.Features features(
      String what, LabeledImages images, ParameterStore encoder) throws IOException {
    if (featuresCache == null) {
      return extract(what, images, encoder);
    }
    String key = cacheKey(what);
    Path cls = featuresCache.resolve(key + "-cls.npy");
    Path mean = featuresCache.resolve(key + "-mean.npy");
    if (Files.isRegularFile(cls) && Files.isRegularFile(mean)) {
      System.err.println(what + " features: from " + mean.getParent().resolve(key + "-*.npy"));
      return new FeatureExtractor.Features(rows(Npy.read(cls)), rows(Npy.read(mean)));
    }
    FeatureExtractor.Features f = extract(what, images, encoder);
    Files.createDirectories(featuresCache);
    Npy.writeFloat32(cls, flat(f.cls()), f.cls().length, f.cls()[0].length);
    Npy.writeFloat32(mean, flat(f.mean()), f.mean().length, f.mean()[0].length);
    return f;
  }

  /** A name for the features of these weights, seed, model and images. */
  private String cacheKey(String what) throws IOException {
    StringBuilder id = new StringBuilder(what).append('|').append(config()).append('|');
    if (weights.equals("random")) {
      id.append("random ").append(seed);
    } else {
      Path file = weightsFile();
      id.append(file.toRealPath())
          .append(' ')
          .append(Files.size(file))
          .append(' ')
          .append(Files.getLastModifiedTime(file).toMillis());
    }
    List<Path> inputs = what.equals("train") ? train : test;
    for (Path p : inputs) {
      id.append('|').append(p.toAbsolutePath().normalize());
    }
    id.append('|').append(what.equals("train") ? trainLimit : testLimit);
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256")
              .digest(id.toString().getBytes(StandardCharsets.UTF_8));
      return what + "-" + HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static float[][] rows(NpyArray array) {
    int n = array.shape()[0];
    int d = array.shape()[1];
    float[] flat = array.toFloats();
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) {
      out[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
    }
    return out;
  }

  private static float[] flat(float[][] rows) {
    int d = rows[0].length;
    float[] out = new float[rows.length * d];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, out, i * d, d);
    }
    return out;
  }

  private FeatureExtractor.Features extract(
      String what, LabeledImages images, ParameterStore encoder) {
    long start = System.nanoTime();
    int every = Math.max(1, images.count() / 10);
    int[] next = {every};
    FeatureExtractor.Features f =
        new FeatureExtractor(config(), encoder)
            .extract(
                images,
                FEATURE_BATCH,
                done -> {
                  if (done >= next[0] || done == images.count()) {
                    next[0] += every;
                    System.err.printf(
                        Locale.ROOT,
                        "%s features: %d/%d (%.1f images/s)%n",
                        what,
                        done,
                        images.count(),
                        done / ((System.nanoTime() - start) / 1e9));
                  }
                });
    return f;
  }

  /** Prints {@code top1=NN.NN} and writes the JSON result when --json is given. */
  public void report(String command, double top1, Map<String, Object> details) throws IOException {
    System.out.printf(Locale.ROOT, "top1=%.2f%n", 100 * top1);
    if (json != null) {
      Map<String, Object> out = new java.util.LinkedHashMap<>();
      out.put("command", command);
      out.put("weights", weights);
      out.put("seed", seed);
      out.put("model", config().toString());
      out.put("top1", 100 * top1);
      out.putAll(details);
      Path parent = json.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), out);
      System.out.println("result: " + json.toAbsolutePath());
    }
  }
}
