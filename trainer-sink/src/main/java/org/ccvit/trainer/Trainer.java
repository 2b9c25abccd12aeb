/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ccvit.schemas.TokenIds;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.trainer.io.SafetensorsWeights;
import org.ccvit.trainer.model.CcvitConfig;
import org.ccvit.trainer.model.CcvitLoss;
import org.ccvit.trainer.model.CcvitModel;
import org.ccvit.trainer.model.Initializer;
import org.ccvit.trainer.model.ModelOutput;
import org.ccvit.trainer.model.ParameterStore;
import org.ccvit.trainer.optim.AdamW;
import org.ccvit.trainer.optim.CosineSchedule;
import org.ccvit.trainer.optim.GradientClipping;
import org.ccvit.trainer.optim.OptimizerStateIO;

/**
 * CCViT pre-training, one optimizer step per batch of tokenized, masked samples, as the original
 * training loop: dual loss, global-norm clipping, AdamW with the original decay rules, per-step
 * warm-up + cosine learning rate. Not thread-safe; one per JVM at a time (PyTorch's gradient
 * recording is process-wide).
 */
public final class Trainer implements AutoCloseable {
  private final CcvitConfig modelConfig;
  private final TrainConfig trainConfig;
  private Codebook codebook;
  private final NDManager manager;
  private final ParameterStore parameters;
  private final Replicas replicas;
  private final AdamW optimizer;
  private final CosineSchedule schedule;
  private long stepCount;
  private StepTimings lastTimings;

  /**
   * A model initialised from {@code train.seed()} as the original initialises it, without a
   * codebook yet: give one with {@link #useCodebook} before the first step.
   */
  public Trainer(CcvitConfig model, TrainConfig train) {
    this(model, train, List.of(Engine.getInstance().defaultDevice()));
  }

  /**
   * As {@link #Trainer(CcvitConfig, TrainConfig)}, with a replica of the model on each device:
   * every micro-batch is split across them, their gradients are summed on the first device, which
   * takes the optimizer step, and the parameters are copied back to the others after it.
   */
  public Trainer(CcvitConfig model, TrainConfig train, List<Device> devices) {
    if (model.inChans() != TrainingBatch.MEAN.length) {
      throw new IllegalArgumentException(
          "the ImageNet normalization needs 3 channels, model has " + model.inChans());
    }
    this.modelConfig = model;
    this.trainConfig = train;
    this.manager = NDManager.newBaseManager(devices.get(0));
    this.parameters = CcvitModel.newParameters(model, manager);
    Initializer.initialize(parameters, model, train.seed());
    this.replicas = new Replicas(model, parameters, manager, devices);
    this.optimizer = new AdamW(train.beta1(), train.beta2(), train.eps(), manager);
    this.schedule =
        new CosineSchedule(train.lr(), train.minLr(), train.warmupSteps(), train.totalSteps());
  }

  /** As {@link #Trainer(CcvitConfig, TrainConfig)}, then {@link #useCodebook}. */
  public Trainer(CcvitConfig model, TrainConfig train, Codebook codebook) {
    this(model, train);
    try {
      useCodebook(codebook);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Trains from now on with this codebook: the targets of replaced patches come from it, and only
   * samples tokenized with its version are accepted. Call it between steps (a batch boundary).
   */
  public void useCodebook(Codebook codebook) {
    requireFits(codebook);
    this.codebook = codebook;
  }

  /**
   * @throws IllegalArgumentException if the codebook's K, patch size or channels do not fit the
   *     model
   */
  public void requireFits(Codebook codebook) {
    if (codebook.k() == modelConfig.vocabSize()
        && codebook.patchSize() == modelConfig.patchSize()
        && codebook.channels() == modelConfig.inChans()) {
      return;
    }
    throw new IllegalArgumentException(
        "codebook "
            + codebook.version()
            + " has k="
            + codebook.k()
            + ", patchSize="
            + codebook.patchSize()
            + ", channels="
            + codebook.channels()
            + "; the model needs k=vocabSize="
            + modelConfig.vocabSize()
            + ", patchSize="
            + modelConfig.patchSize()
            + ", channels="
            + modelConfig.inChans());
  }

  /** The codebook in use, or null before the first {@link #useCodebook}. */
  public Codebook codebook() {
    return codebook;
  }

  /**
   * Why this sample cannot be trained on (wrong codebook version, shape that does not fit the
   * model, ids or positions out of range), or null when it is acceptable.
   */
  public String rejectionReason(TrainingSample s) {
    int n = modelConfig.numPatches();
    if (codebook == null) {
      return "the trainer has no codebook yet";
    }
    if (!codebook.version().equals(s.getCodebookVersion().toString())) {
      return "codebook version "
          + s.getCodebookVersion()
          + " differs from the trainer's "
          + codebook.version();
    }
    if (s.getImageSize() != modelConfig.imgSize() || s.getChannels() != modelConfig.inChans()) {
      return "image "
          + s.getChannels()
          + "x"
          + s.getImageSize()
          + "x"
          + s.getImageSize()
          + " does not fit the model's "
          + modelConfig.inChans()
          + "x"
          + modelConfig.imgSize()
          + "x"
          + modelConfig.imgSize();
    }
    int expectedBytes = modelConfig.inChans() * modelConfig.imgSize() * modelConfig.imgSize();
    if (s.getPixels() == null || s.getPixels().remaining() != expectedBytes) {
      return "pixels hold "
          + (s.getPixels() == null ? 0 : s.getPixels().remaining())
          + " bytes, expected C*H*W = "
          + expectedBytes;
    }
    if (s.getTokenIds() == null || s.getTokenIds().remaining() != 2 * n) {
      return (s.getTokenIds() == null ? 0 : s.getTokenIds().remaining() / 2)
          + " token ids, expected one per patch: "
          + n;
    }
    for (int id : TokenIds.unpack(s.getTokenIds())) {
      if (id < 0 || id >= codebook.k()) {
        return "token id " + id + " outside [0, " + codebook.k() + ")";
      }
    }
    Set<Integer> seen = new HashSet<>();
    for (List<Integer> positions : List.of(s.getMaskedPositions(), s.getReplacedPositions())) {
      for (int p : positions) {
        if (p < 0 || p >= n) {
          return "patch position " + p + " outside [0, " + n + ")";
        }
        if (!seen.add(p)) {
          return "patch position " + p + " is listed twice (masked and replaced must be disjoint)";
        }
      }
    }
    if (seen.isEmpty()) {
      return "no masked or replaced positions, so nothing to learn from";
    }
    return null;
  }

  /** One optimizer step on the batch; refuses the whole batch if any sample is unacceptable. */
  public StepMetrics step(List<TrainingSample> batch) {
    return step(batch, batch.size());
  }

  /**
   * One optimizer step on the batch, computed as consecutive micro-batches of {@code
   * microBatchSize} samples (the last may be shorter): their gradients are summed, each weighted by
   * its share of the batch's loss positions, so loss and gradients are those of the whole batch;
   * then one clip and one AdamW step. Only one micro-batch's activations are alive at a time.
   */
  public StepMetrics step(List<TrainingSample> batch, int microBatchSize) {
    return step(prepare(batch, microBatchSize));
  }

  /**
   * Builds the step's inputs (pure Java, no PyTorch), so a caller can build the next step's while
   * another runs; refuses the whole batch if any sample is unacceptable.
   */
  PreparedStep prepare(List<TrainingSample> batch, int microBatchSize) {
    if (batch.isEmpty()) {
      throw new IllegalArgumentException("empty batch");
    }
    if (microBatchSize <= 0) {
      throw new IllegalArgumentException("microBatchSize must be positive, got " + microBatchSize);
    }
    for (TrainingSample s : batch) {
      String reason = rejectionReason(s);
      if (reason != null) {
        throw new IllegalArgumentException("sample " + s.getKey() + " refused: " + reason);
      }
    }
    long start = System.nanoTime();
    List<TrainingBatch> micro = new ArrayList<>();
    List<Integer> replicaOf = new ArrayList<>();
    for (int from = 0; from < batch.size(); from += microBatchSize) {
      List<TrainingSample> part =
          batch.subList(from, Math.min(batch.size(), from + microBatchSize));
      List<List<TrainingSample>> split = Replicas.split(part, replicas.count());
      for (int r = 0; r < split.size(); r++) {
        micro.add(TrainingBatch.build(split.get(r), modelConfig, codebook));
        replicaOf.add(r);
      }
    }
    return new PreparedStep(micro, replicaOf, codebook, System.nanoTime() - start);
  }

  /** One optimizer step on prepared inputs; see {@link #step(List, int)}. */
  StepMetrics step(PreparedStep prepared) {
    if (prepared.codebook() != codebook) {
      throw new IllegalStateException(
          "the step was prepared with codebook "
              + prepared.codebook().version()
              + ", the trainer now uses "
              + codebook.version());
    }
    List<TrainingBatch> micro = prepared.microBatches();
    long totalPositions = micro.stream().mapToLong(b -> b.labels().length).sum();
    long[] nanos = new long[5];
    double ce = 0;
    double mse = 0;
    List<long[]> predicted = new ArrayList<>();
    for (int i = 0; i < micro.size(); i++) {
      TrainingBatch b = micro.get(i);
      // A single micro-batch keeps the plain loss, so the golden comparisons stay exact.
      double weight = micro.size() == 1 ? 1 : (double) b.labels().length / totalPositions;
      double[] losses = forwardBackward(prepared.replicaOf().get(i), b, weight, nanos, predicted);
      ce += weight * losses[0];
      mse += weight * losses[1];
    }
    // The optimizer step runs outside the forward/backward scope, which would free its new state.
    replicas.sumGradientsOntoFirst();
    long t0 = System.nanoTime();
    double lr = schedule.valueAt(stepCount);
    double gradNorm;
    long t1;
    Map<String, NDArray> gradients = parameters.gradients();
    try {
      gradNorm = GradientClipping.clipByGlobalNorm(gradients, trainConfig.clipGrad());
      t1 = System.nanoTime();
      optimizer.step(parameters.parameters(), gradients, lr, trainConfig.weightDecay());
    } finally {
      gradients.values().forEach(NDArray::close);
      parameters.dropGradients();
    }
    replicas.broadcast();
    nanos[3] = t1 - t0;
    nanos[4] = System.nanoTime() - t1;
    stepCount++;
    lastTimings =
        new StepTimings(prepared.buildNanos(), nanos[0], nanos[1], nanos[2], nanos[3], nanos[4]);
    long[] allPredicted = predicted.stream().flatMapToLong(Arrays::stream).toArray();
    long[] labels = micro.stream().flatMapToLong(b -> Arrays.stream(b.labels())).toArray();
    boolean[] replaced = concat(micro.stream().map(TrainingBatch::replaced).toList());
    boolean[] maskedAtLoss = concat(micro.stream().map(TrainingBatch::maskedAtLoss).toList());
    return new StepMetrics(
        stepCount,
        ce + mse,
        ce,
        mse,
        CcvitLoss.accuracy(allPredicted, labels, maskedAtLoss),
        CcvitLoss.accuracy(allPredicted, labels, replaced),
        lr,
        gradNorm,
        micro.stream().mapToInt(TrainingBatch::batchSize).sum());
  }

  /**
   * Forward and backward of one micro-batch with its loss scaled by {@code weight}; gradients add
   * onto the parameters' gradients. Adds forward, loss and backward time to {@code nanos[0..2]} and
   * the token predictions to {@code predicted}.
   *
   * @return the unweighted cross-entropy and MSE
   */
  private double[] forwardBackward(
      int replica, TrainingBatch b, double weight, long[] nanos, List<long[]> predicted) {
    NDManager device = replicas.manager(replica);
    // Everything the forward and backward pass creates is freed here; the parameters, their
    // gradients and the optimizer state live on longer-lived managers.
    try (NDScope scope = new NDScope()) {
      int side = modelConfig.imgSize();
      NDArray input =
          device.create(b.input(), new Shape(b.batchSize(), modelConfig.inChans(), side, side));
      NDArray masked =
          device.create(b.masked(), new Shape(b.batchSize(), modelConfig.numPatches()));
      NDArray positions = device.create(b.lossPositions());
      NDArray labels = device.create(b.labels());
      NDArray targets =
          device.create(b.targets(), new Shape(b.labels().length, modelConfig.patchDim()));
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        long t0 = System.nanoTime();
        ModelOutput out = replicas.model(replica).forward(input, masked, positions);
        long t1 = System.nanoTime();
        NDArray ceArray = CcvitLoss.crossEntropy(out.tokenLogits(), labels);
        NDArray mseArray = CcvitLoss.meanSquaredError(out.pixelPredictions(), targets);
        NDArray loss = ceArray.add(mseArray);
        double[] losses = {ceArray.getFloat(), mseArray.getFloat()};
        predicted.add(CcvitLoss.predictions(out.tokenLogits()));
        long t2 = System.nanoTime();
        collector.backward(weight == 1 ? loss : loss.mul((float) weight));
        nanos[0] += t1 - t0;
        nanos[1] += t2 - t1;
        nanos[2] += System.nanoTime() - t2;
        return losses;
      }
    }
  }

  private static boolean[] concat(List<boolean[]> parts) {
    boolean[] out = new boolean[parts.stream().mapToInt(p -> p.length).sum()];
    int at = 0;
    for (boolean[] part : parts) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }

  /** Where the last step's time went; null before the first step. */
  public StepTimings lastTimings() {
    return lastTimings;
  }

  /** Writes the weights as safetensors under the original names. */
  public void saveWeights(Path file) {
    SafetensorsWeights.save(parameters, file);
  }

  /** Replaces the weights from a safetensors file that fits this configuration exactly. */
  public void loadWeights(Path file) {
    SafetensorsWeights.load(parameters, file);
    replicas.broadcast();
  }

  /** Writes the weights as one safetensors file's bytes (original names); leaves it open. */
  public void writeWeights(OutputStream out) throws IOException {
    SafetensorsWeights.write(parameters, out);
  }

  /**
   * Writes the AdamW moments and the step count as one safetensors file's bytes; with {@link
   * #writeWeights} that is everything training continues from (the schedule position is the step
   * count).
   */
  public void writeOptimizerState(OutputStream out) throws IOException {
    OptimizerStateIO.write(optimizer, out);
  }

  /** Replaces the weights from {@link #writeWeights} bytes; {@code source} names them. */
  public void readWeights(InputStream in, String source) {
    SafetensorsWeights.read(parameters, in, source);
    replicas.broadcast();
  }

  /**
   * Continues from {@link #writeOptimizerState} bytes: the next step is the saved step count + 1,
   * at the schedule position of that step (under this trainer's own settings, so a changed learning
   * rate applies from there on).
   */
  public void readOptimizerState(InputStream in, String source) throws IOException {
    OptimizerStateIO.read(optimizer, in, source);
    stepCount = optimizer.stepCount();
  }

  /** Steps taken so far. */
  public long stepCount() {
    return stepCount;
  }

  public ParameterStore parameters() {
    return parameters;
  }

  @Override
  public void close() {
    replicas.close();
    optimizer.close();
    parameters.close();
    manager.close();
  }
}
