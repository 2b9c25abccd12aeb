/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

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
  private final CcvitModel model;
  private final AdamW optimizer;
  private final CosineSchedule schedule;
  private long stepCount;

  /**
   * A model initialised from {@code train.seed()} as the original initialises it, without a
   * codebook yet: give one with {@link #useCodebook} before the first step.
   */
  public Trainer(CcvitConfig model, TrainConfig train) {
    if (model.inChans() != TrainingBatch.MEAN.length) {
      throw new IllegalArgumentException(
          "the ImageNet normalization needs 3 channels, model has " + model.inChans());
    }
    this.modelConfig = model;
    this.trainConfig = train;
    this.manager = NDManager.newBaseManager();
    this.parameters = CcvitModel.newParameters(model, manager);
    Initializer.initialize(parameters, model, train.seed());
    this.model = new CcvitModel(model, parameters);
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
    if (batch.isEmpty()) {
      throw new IllegalArgumentException("empty batch");
    }
    for (TrainingSample s : batch) {
      String reason = rejectionReason(s);
      if (reason != null) {
        throw new IllegalArgumentException("sample " + s.getKey() + " refused: " + reason);
      }
    }
    TrainingBatch b = TrainingBatch.build(batch, modelConfig, codebook);
    double ce;
    double mse;
    long[] predicted;
    // Everything the forward and backward pass creates is freed here; the parameters, their
    // gradients and the optimizer state live on longer-lived managers.
    try (NDScope scope = new NDScope()) {
      int side = modelConfig.imgSize();
      NDArray input =
          manager.create(b.input(), new Shape(b.batchSize(), modelConfig.inChans(), side, side));
      NDArray masked =
          manager.create(b.masked(), new Shape(b.batchSize(), modelConfig.numPatches()));
      NDArray positions = manager.create(b.lossPositions());
      NDArray labels = manager.create(b.labels());
      NDArray targets =
          manager.create(b.targets(), new Shape(b.labels().length, modelConfig.patchDim()));
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        ModelOutput out = model.forward(input, masked, positions);
        NDArray ceArray = CcvitLoss.crossEntropy(out.tokenLogits(), labels);
        NDArray mseArray = CcvitLoss.meanSquaredError(out.pixelPredictions(), targets);
        collector.backward(ceArray.add(mseArray));
        ce = ceArray.getFloat();
        mse = mseArray.getFloat();
        predicted = CcvitLoss.predictions(out.tokenLogits());
      }
    }
    // The optimizer step runs outside the scope, which would otherwise free its new state.
    double lr = schedule.valueAt(stepCount);
    double gradNorm;
    Map<String, NDArray> gradients = parameters.gradients();
    try {
      gradNorm = GradientClipping.clipByGlobalNorm(gradients, trainConfig.clipGrad());
      optimizer.step(parameters.parameters(), gradients, lr, trainConfig.weightDecay());
    } finally {
      gradients.values().forEach(NDArray::close);
      parameters.zeroGradients();
    }
    stepCount++;
    return new StepMetrics(
        stepCount,
        ce + mse,
        ce,
        mse,
        CcvitLoss.accuracy(predicted, b.labels(), b.maskedAtLoss()),
        CcvitLoss.accuracy(predicted, b.labels(), b.replaced()),
        lr,
        gradNorm,
        b.batchSize());
  }

  /** Writes the weights as safetensors under the original names. */
  public void saveWeights(Path file) {
    SafetensorsWeights.save(parameters, file);
  }

  /** Replaces the weights from a safetensors file that fits this configuration exactly. */
  public void loadWeights(Path file) {
    SafetensorsWeights.load(parameters, file);
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
    optimizer.close();
    parameters.close();
    manager.close();
  }
}
