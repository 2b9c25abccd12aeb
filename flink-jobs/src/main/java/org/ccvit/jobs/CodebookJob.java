/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.ccvit.jobs.io.StreamInput;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.CenterViewPatches;
import org.ccvit.tokenizer.RejectedInputException;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.image.ImageLimits;
import org.ccvit.tokenizer.kmeans.IterationListener;
import org.ccvit.tokenizer.kmeans.KMeans;
import org.ccvit.tokenizer.kmeans.KMeansConfig;
import org.ccvit.tokenizer.kmeans.KMeansResult;
import org.ccvit.tokenizer.random.SampleRandom;

/**
 * The bounded codebook job: the Flink job decodes images in parallel, takes the deterministic
 * center view and samples patches; k-means with faiss's semantics then runs over the sample.
 */
public final class CodebookJob {

  /** Settings of one codebook build. */
  public record Settings(
      int imageSize, int patchSize, int patchesPerImage, KMeansConfig kmeans, long sampleSeed)
      implements java.io.Serializable {}

  /** The codebook with the images that could not be used. */
  public record Result(Codebook codebook, KMeansResult kmeans, int images, List<String> rejects) {}

  private final Settings settings;
  private final StreamInput<ImageRecord> images;

  public CodebookJob(Settings settings, StreamInput<ImageRecord> images) {
    this.settings = settings;
    this.images = images;
  }

  public Result run(StreamExecutionEnvironment env, IterationListener progress) throws Exception {
    List<float[]> sampled = new ArrayList<>();
    List<String> rejects = new ArrayList<>();
    try (CloseableIterator<SampledPatches> it =
        images
            .create(env)
            .map(new SamplePatches(settings))
            .name("decode, center view, sample patches")
            .returns(TypeInformation.of(SampledPatches.class))
            .executeAndCollect("ccvit codebook: sample patches")) {
      while (it.hasNext()) {
        SampledPatches s = it.next();
        if (s.reason != null) {
          rejects.add(s.key + ": " + s.reason);
        } else {
          sampled.add(s.patches);
        }
      }
    }
    int dim = 3 * settings.patchSize() * settings.patchSize();
    int n = sampled.stream().mapToInt(p -> p.length / dim).sum();
    if (n < settings.kmeans().k()) {
      throw new IllegalArgumentException(
          "only "
              + n
              + " patches were sampled from "
              + sampled.size()
              + " images, fewer than K = "
              + settings.kmeans().k()
              + ": give more images, more --patches-per-image, or a smaller --k");
    }
    float[] points = new float[n * dim];
    int offset = 0;
    for (float[] p : sampled) {
      System.arraycopy(p, 0, points, offset, p.length);
      offset += p.length;
    }
    KMeansResult result = new KMeans(settings.kmeans()).fit(points, n, dim, progress);
    String version = Codebook.contentVersion(result.centroids(), settings.patchSize(), 3);
    Codebook codebook =
        new Codebook(version, result.k(), settings.patchSize(), 3, result.centroids());
    return new Result(codebook, result, sampled.size(), rejects);
  }

  /** How a codebook was made, stored with it. */
  public Map<String, String> provenance(Result result, List<Path> inputs) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("inputs", inputs.toString());
    p.put("images", String.valueOf(result.images()));
    p.put("imageSize", String.valueOf(settings.imageSize()));
    p.put("patchesPerImage", String.valueOf(settings.patchesPerImage()));
    p.put("k", String.valueOf(settings.kmeans().k()));
    p.put("iterations", String.valueOf(settings.kmeans().iterations()));
    p.put("seed", String.valueOf(settings.kmeans().seed()));
    p.put("objective", String.valueOf(result.kmeans().objective()));
    return p;
  }

  /** Patches of one image, or why it was rejected. A POJO: Flink serializes it without Kryo. */
  public static final class SampledPatches {
    public String key;
    public float[] patches;
    public String reason;

    public SampledPatches() {}

    SampledPatches(String key, float[] patches, String reason) {
      this.key = key;
      this.patches = patches;
      this.reason = reason;
    }
  }

  /** Center-view patches of one image, then a seeded random subset of them. */
  static final class SamplePatches implements MapFunction<ImageRecord, SampledPatches> {
    private final Settings settings;
    private transient CenterViewPatches view;

    SamplePatches(Settings settings) {
      this.settings = settings;
    }

    @Override
    public SampledPatches map(ImageRecord record) {
      if (view == null) {
        view =
            new CenterViewPatches(
                settings.imageSize(), settings.patchSize(), ImageLimits.defaults());
      }
      byte[] bytes = new byte[record.getImage().remaining()];
      record.getImage().duplicate().get(bytes);
      try {
        return new SampledPatches(
            record.getKey(), subset(record.getKey(), view.extract(bytes)), null);
      } catch (RejectedInputException e) {
        return new SampledPatches(record.getKey(), null, e.getMessage());
      } catch (RuntimeException e) {
        return new SampledPatches(record.getKey(), null, e.toString());
      }
    }

    private float[] subset(String key, float[] all) {
      int dim = view.patchDim();
      int count = all.length / dim;
      int keep = settings.patchesPerImage();
      if (keep <= 0 || keep >= count) {
        return all;
      }
      // A partial Fisher-Yates shuffle seeded by the key: the same image gives the same patches.
      int[] order = new int[count];
      for (int i = 0; i < count; i++) {
        order[i] = i;
      }
      var rng = SampleRandom.of(settings.sampleSeed(), key, 0, SampleRandom.Purpose.AUGMENT);
      float[] out = new float[keep * dim];
      for (int i = 0; i < keep; i++) {
        int j = i + rng.nextInt(count - i);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
        System.arraycopy(all, order[i] * dim, out, i * dim, dim);
      }
      return out;
    }
  }
}
