/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.codebook;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.ccvit.jobs.FlinkEnvironments;
import org.ccvit.jobs.ReusableMiniCluster;
import org.ccvit.jobs.io.Inputs;
import org.ccvit.jobs.io.StreamInput;
import org.ccvit.jobs.kafka.KafkaPublisher;
import org.ccvit.jobs.report.Progress;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.CenterViewPatches;
import org.ccvit.tokenizer.RejectedInputException;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.image.ImageLimits;
import org.ccvit.tokenizer.io.ImageSources;
import org.ccvit.tokenizer.kmeans.IterationListener;
import org.ccvit.tokenizer.kmeans.IterationStats;
import org.ccvit.tokenizer.kmeans.KMeansConfig;
import org.ccvit.tokenizer.kmeans.KMeansResult;
import org.ccvit.tokenizer.random.SampleRandom;
import picocli.CommandLine;

/**
 * The bounded codebook job: a Flink job decodes images in parallel, takes the deterministic center
 * view and samples patches into files; k-means with faiss's semantics then runs over the sample,
 * distributed over the job's subtasks ({@link DistributedKMeans}).
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

  /** Told of a run's progress: each image sampled, then each k-means iteration. */
  public interface Listener extends IterationListener {
    /** One more image's patches were sampled, or the image was rejected. */
    default void onImageSampled() {}
  }

  /**
   * Builds the codebook: a first job decodes and samples the images in parallel and spills the
   * patches to files under {@code workDir}; their global order is by image key (then source), so
   * the sample does not depend on parallelism or scheduling; then {@link DistributedKMeans} runs on
   * the environment's parallelism. The run's files are deleted at the end.
   *
   * @param workDir room for the sample (about 3 KB per patch) and per-iteration partial sums; must
   *     be shared by all TaskManagers on a cluster
   */
  public Result run(StreamExecutionEnvironment env, Path workDir, Listener progress)
      throws Exception {
    Path runDir = WorkDirectory.createRunDir(workDir, "codebook");
    try {
      List<SpilledPatches> spilled =
          ReusableMiniCluster.runJobs(env, e -> spill(e, runDir, progress));
      List<String> rejects = new ArrayList<>();
      List<PatchSample.Segment> segments = new ArrayList<>();
      spilled.sort(Comparator.comparing((SpilledPatches s) -> s.key).thenComparing(s -> s.source));
      for (SpilledPatches s : spilled) {
        if (s.reason != null) {
          rejects.add(s.key + ": " + s.reason);
        } else {
          segments.add(new PatchSample.Segment(s.file, s.firstRow, s.rows));
        }
      }
      int dim = 3 * settings.patchSize() * settings.patchSize();
      PatchSample sample = new PatchSample(dim, segments);
      if (sample.size() < settings.kmeans().k()) {
        throw new IllegalArgumentException(
            "only "
                + sample.size()
                + " patches were sampled from "
                + segments.size()
                + " images, fewer than K = "
                + settings.kmeans().k()
                + ": give more images, more --patches-per-image, or a smaller --k");
      }
      KMeansResult result =
          new DistributedKMeans(settings.kmeans(), runDir).fit(env, sample, progress);
      String version = Codebook.contentVersion(result.centroids(), settings.patchSize(), 3);
      Codebook codebook =
          new Codebook(version, result.k(), settings.patchSize(), 3, result.centroids());
      return new Result(codebook, result, segments.size(), rejects);
    } finally {
      WorkDirectory.deleteTree(runDir);
    }
  }

  /**
   * Builds the codebook the options describe on the session cluster at {@code jobManager} ({@code
   * HOST:PORT} of its REST API) or, when null, locally or as set by {@code flink run}; writes it to
   * {@code --out}, publishes it when a broker is given, and returns it.
   */
  public static Result run(CodebookOptions o, String jobManager) throws Exception {
    return run(o, jobManager, Map.of());
  }

  /** As {@link #run(CodebookOptions, String)}, with further Flink settings for the jobs. */
  public static Result run(CodebookOptions o, String jobManager, Map<String, String> settings)
      throws Exception {
    CodebookJob job =
        new CodebookJob(
            new Settings(
                o.view.imageSize,
                o.view.patchSize,
                o.patchesPerImage,
                new KMeansConfig(o.k, o.iterations, o.seed, o.maxPointsPerCentroid),
                o.seed),
            Inputs.imageFiles(o.images, 1));
    // The bounded jobs take no checkpoints; the directory only has to exist while they run.
    Path checkpoints =
        Files.createTempDirectory(Files.createDirectories(o.workDir), "ccvit-codebook-checkpoints");
    Result result;
    try (CommandLineProgress progress =
        new CommandLineProgress(
            o.iterations, ImageSources.imageCountIfKnown(ImageSources.scan(o.images).units()))) {
      result =
          job.run(
              FlinkEnvironments.create(
                  jobManager, o.parallelism, checkpoints.toString(), 0, settings),
              o.workDir,
              progress);
    } finally {
      WorkDirectory.deleteTree(checkpoints);
    }
    result.rejects().forEach(r -> System.out.println("codebook: rejected " + r));
    Files.createDirectories(o.out.toAbsolutePath().getParent());
    result.codebook().writeNpy(o.out);
    System.out.printf(
        "codebook: %s K=%d from %d images (%d rejected) -> %s%n",
        result.codebook().version(),
        result.codebook().k(),
        result.images(),
        result.rejects().size(),
        o.out);
    if (o.bootstrapServers != null) {
      try (KafkaPublisher publisher =
          new KafkaPublisher(o.kafkaClient.settings(o.bootstrapServers))) {
        publisher.publishCodebook(
            result.codebook().toRecord(job.provenance(result, o.images)), o.topic);
      }
      System.out.printf("codebook: published %s to %s%n", result.codebook().version(), o.topic);
    }
    return result;
  }

  /**
   * The entry point for {@code flink run -c org.ccvit.jobs.codebook.CodebookJob ccvit-job.jar
   * OPTIONS}: the options of {@code ccvit codebook}. The k-means driver loop runs here, in the
   * client, beside the one job that runs every iteration.
   */
  public static void main(String[] args) throws Exception {
    run(CommandLine.populateCommand(new CodebookOptions(), args), null);
  }

  private List<SpilledPatches> spill(StreamExecutionEnvironment env, Path runDir, Listener progress)
      throws Exception {
    List<SpilledPatches> spilled = new ArrayList<>();
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    try (CloseableIterator<SpilledPatches> it =
        images
            .create(env)
            .map(new SpillPatches(settings, runDir.toString()))
            .name("decode, center view, sample patches, spill")
            .returns(TypeInformation.of(SpilledPatches.class))
            .executeAndCollect("ccvit codebook: sample patches")) {
      it.forEachRemaining(
          image -> {
            spilled.add(image);
            progress.onImageSampled();
          });
    }
    return spilled;
  }

  /**
   * What a command-line run prints: the sampling job's images as they come back from it, then a
   * line per k-means iteration with the time left.
   */
  private static final class CommandLineProgress implements Listener, AutoCloseable {
    private final int iterations;
    private final long images;
    private Progress sampling;
    private double laterIterationSeconds;

    CommandLineProgress(int iterations, long images) {
      this.iterations = iterations;
      this.images = images;
    }

    @Override
    public void onImageSampled() {
      if (sampling == null) {
        sampling = Progress.start("codebook: sampling patches", "images", images);
      }
      sampling.step();
    }

    @Override
    public void onIteration(IterationStats it) {
      close();
      int done = it.iteration() + 1;
      // The first iteration holds the job's start-up; the others tell the pace.
      laterIterationSeconds += done > 1 ? it.seconds() : 0;
      double pace = done > 1 ? laterIterationSeconds / (done - 1) : it.seconds();
      System.out.printf(
          Locale.ROOT,
          "codebook: iteration %d/%d objective %.6g empty clusters split %d (%.2f s, %s left)%n",
          done,
          iterations,
          it.objective(),
          it.emptyClustersSplit(),
          it.seconds(),
          Progress.duration(pace * (iterations - done)));
    }

    @Override
    public void close() {
      if (sampling != null) {
        sampling.close();
        sampling = null;
      }
    }
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

  /**
   * Where the patches of one image were spilled (rows [firstRow, firstRow + rows) of a float32
   * file), or why it was rejected. A POJO: Flink serializes it without Kryo.
   */
  public static final class SpilledPatches {
    public String key;
    public String source;
    public String file;
    public long firstRow;
    public int rows;
    public String reason;

    public SpilledPatches() {}

    SpilledPatches(String key, String source, String file, long firstRow, int rows, String reason) {
      this.key = key;
      this.source = source;
      this.file = file;
      this.firstRow = firstRow;
      this.rows = rows;
      this.reason = reason;
    }
  }

  /**
   * Center-view patches of one image, then a seeded random subset of them, appended to this
   * subtask's file in the run directory (float32 little-endian rows, the {@link PatchSample}
   * layout).
   */
  static final class SpillPatches extends RichMapFunction<ImageRecord, SpilledPatches> {
    private final Settings settings;
    private final String runDir;
    private transient CenterViewPatches view;
    private transient Path file;
    private transient OutputStream out;
    private transient long rowsWritten;

    SpillPatches(Settings settings, String runDir) {
      this.settings = settings;
      this.runDir = runDir;
    }

    @Override
    public void open(OpenContext context) throws IOException {
      view =
          new CenterViewPatches(settings.imageSize(), settings.patchSize(), ImageLimits.defaults());
      var task = getRuntimeContext().getTaskInfo();
      // The attempt number keeps a restarted task from appending to its failed attempt's file.
      file =
          Path.of(
              runDir,
              "patches-" + task.getIndexOfThisSubtask() + "-" + task.getAttemptNumber() + ".f32");
      out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
      rowsWritten = 0;
    }

    @Override
    public SpilledPatches map(ImageRecord record) throws IOException {
      byte[] bytes = new byte[record.getImage().remaining()];
      record.getImage().duplicate().get(bytes);
      float[] patches;
      try {
        patches = subset(record.getKey(), view.extract(bytes));
      } catch (RejectedInputException e) {
        return rejected(record, e.getMessage());
      } catch (RuntimeException e) {
        return rejected(record, e.toString());
      }
      ByteBuffer buffer = ByteBuffer.allocate(patches.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      buffer.asFloatBuffer().put(patches);
      out.write(buffer.array());
      int rows = patches.length / view.patchDim();
      rowsWritten += rows;
      return new SpilledPatches(
          record.getKey(),
          record.getSource(),
          file.toAbsolutePath().toString(),
          rowsWritten - rows,
          rows,
          null);
    }

    private static SpilledPatches rejected(ImageRecord record, String reason) {
      return new SpilledPatches(record.getKey(), record.getSource(), null, 0, 0, reason);
    }

    @Override
    public void close() throws IOException {
      if (out != null) {
        out.close();
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
