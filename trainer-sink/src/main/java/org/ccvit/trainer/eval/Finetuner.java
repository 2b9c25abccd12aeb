/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.eval;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.ccvit.tokenizer.image.Augmentation;
import org.ccvit.tokenizer.image.RgbImage;
import org.ccvit.trainer.model.CcvitConfig;
import org.ccvit.trainer.model.Encoder;
import org.ccvit.trainer.model.ParameterStore;
import org.ccvit.trainer.optim.AdamW;
import org.ccvit.trainer.optim.CosineSchedule;
import org.ccvit.trainer.optim.LayerDecay;

/**
 * The original fine-tuning recipe, scaled down: the encoder, mean-pooled patch states, fc_norm
 * (LayerNorm) and a linear head (init x 0.001); AdamW (0.9, 0.999) with weight decay 0.05 and
 * layer-wise learning-rate decay, per-step warm-up + cosine, label smoothing, stochastic depth
 * rising linearly over the blocks, RandomResizedCrop (scale 0.08-1) with horizontal flips. The
 * shared relative position bias stays shared (the original copies it into every block).
 */
public final class Finetuner implements AutoCloseable {
  private static final double HEAD_INIT_SCALE = 0.001;

  /**
   * @param epochs passes over the training images
   * @param batchSize images per step
   * @param lr peak learning rate (of the head; layer l gets lr x layerDecay^(depth + 1 - l))
   * @param minLr final learning rate of the cosine
   * @param warmupSteps linear warm-up steps
   * @param weightDecay AdamW weight decay (not for biases, norms, cls_token)
   * @param layerDecay the original's 0.65
   * @param labelSmoothing the original's 0.1
   * @param dropPath stochastic depth rate of the last block (the original's 0.1)
   * @param seed head init, augmentation, order, stochastic depth
   */
  public record Settings(
      int epochs,
      int batchSize,
      double lr,
      double minLr,
      long warmupSteps,
      double weightDecay,
      double layerDecay,
      double labelSmoothing,
      double dropPath,
      long seed) {}

  /** What an epoch ends with. */
  public record Epoch(int epoch, double trainLoss, double top1, double top5, double seconds) {}

  private final CcvitConfig config;
  private final Settings settings;
  private final NDManager manager;
  private final ParameterStore model;
  private final AdamW optimizer;
  private final SplittableRandom rng;
  private final Augmentation augmentation;

  /** Starts from the encoder's parameters (copied) and a new head for {@code classes}. */
  public Finetuner(CcvitConfig config, ParameterStore encoder, int classes, Settings settings) {
    this.config = config;
    this.settings = settings;
    this.manager = NDManager.newBaseManager();
    this.rng = new SplittableRandom(settings.seed());
    Map<String, Shape> shapes = new LinkedHashMap<>(Encoder.parameterShapes(config));
    shapes.put("fc_norm.weight", new Shape(config.embedDim()));
    shapes.put("fc_norm.bias", new Shape(config.embedDim()));
    shapes.put("head.weight", new Shape(classes, config.embedDim()));
    shapes.put("head.bias", new Shape(classes));
    this.model = new ParameterStore(manager, shapes);
    Encoder.addBuffers(model, config);
    Encoder.parameterShapes(config).keySet().forEach(n -> model.assign(n, encoder.get(n)));
    float[] ones = new float[config.embedDim()];
    java.util.Arrays.fill(ones, 1f);
    model.assign("fc_norm.weight", ones);
    float[] head = new float[classes * config.embedDim()];
    for (int i = 0; i < head.length; i++) {
      head[i] = (float) (truncatedNormal(rng) * config.initStd() * HEAD_INIT_SCALE);
    }
    model.assign("head.weight", head);
    this.optimizer = new AdamW(0.9, 0.999, 1e-8, manager);
    optimizer.setLrScales(
        LayerDecay.scales(model.parameters().keySet(), config.depth(), settings.layerDecay()));
    this.augmentation = new Augmentation(config.imgSize(), 0.08, 1.0, 3.0 / 4.0, 4.0 / 3.0, 0.5);
  }

  /**
   * Trains for the settings' epochs, evaluating on {@code test} after each.
   *
   * @param onEpoch receives each epoch's result as it ends
   * @param onStep receives (step, loss) now and then
   */
  public List<Epoch> run(
      LabeledImages train,
      LabeledImages test,
      java.util.function.Consumer<Epoch> onEpoch,
      java.util.function.BiConsumer<Long, Double> onStep) {
    int n = train.count();
    long stepsPerEpoch = (n + settings.batchSize() - 1) / settings.batchSize();
    long total = stepsPerEpoch * settings.epochs();
    CosineSchedule schedule =
        new CosineSchedule(
            settings.lr(), settings.minLr(), Math.min(settings.warmupSteps(), total), total);
    List<Epoch> epochs = new ArrayList<>();
    long step = 0;
    int[] order = java.util.stream.IntStream.range(0, n).toArray();
    for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
      long start = System.nanoTime();
      shuffle(order);
      double lossSum = 0;
      for (int from = 0; from < n; from += settings.batchSize()) {
        int to = Math.min(n, from + settings.batchSize());
        double loss = step(train, order, from, to, schedule.valueAt(step));
        lossSum += loss * (to - from);
        step++;
        if (step % 20 == 0 || to == n) {
          onStep.accept(step, loss);
        }
      }
      double[] acc = evaluate(test);
      Epoch e = new Epoch(epoch, lossSum / n, acc[0], acc[1], (System.nanoTime() - start) / 1e9);
      epochs.add(e);
      onEpoch.accept(e);
    }
    return epochs;
  }

  private double step(LabeledImages train, int[] order, int from, int to, double lr) {
    int b = to - from;
    List<RgbImage> batch = new ArrayList<>(b);
    int[] labels = new int[b];
    for (int i = 0; i < b; i++) {
      batch.add(augmentation.apply(train.images().get(order[from + i]), rng));
      labels[i] = train.labels()[order[from + i]];
    }
    int side = config.imgSize();
    double loss;
    try (NDScope scope = new NDScope()) {
      NDArray input =
          manager.create(LabeledImages.normalize(batch, side), new Shape(b, 3, side, side));
      NDArray[] keep = dropPathMultipliers(b);
      NDArray target = manager.create(labels).toType(ai.djl.ndarray.types.DataType.INT64, false);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray logits = logits(input, keep);
        NDArray logp = logits.logSoftmax(-1);
        NDArray nll = logp.gather(target.reshape(-1, 1), 1).mean().neg();
        NDArray smooth = logp.mean(new int[] {-1}).mean().neg();
        float eps = (float) settings.labelSmoothing();
        NDArray lossArray = nll.mul(1 - eps).add(smooth.mul(eps));
        collector.backward(lossArray);
        loss = lossArray.getFloat();
      }
    }
    // Outside the scope, which would otherwise free the optimizer's new state.
    Map<String, NDArray> gradients = model.gradients();
    try {
      optimizer.step(model.parameters(), gradients, lr, settings.weightDecay());
    } finally {
      gradients.values().forEach(NDArray::close);
      model.dropGradients();
    }
    return loss;
  }

  /** Top-1 and top-5 accuracy on the center views of {@code test}. */
  public double[] evaluate(LabeledImages test) {
    long top1 = 0;
    long top5 = 0;
    int side = config.imgSize();
    for (int from = 0; from < test.count(); from += settings.batchSize()) {
      int to = Math.min(test.count(), from + settings.batchSize());
      float[] logits;
      int classes;
      try (NDScope scope = new NDScope()) {
        NDArray input =
            manager.create(test.normalized(from, to), new Shape(to - from, 3, side, side));
        NDArray out = logits(input, null);
        classes = (int) out.getShape().get(1);
        logits = out.toFloatArray();
      }
      for (int i = 0; i < to - from; i++) {
        double[] row = new double[classes];
        for (int c = 0; c < classes; c++) {
          row[c] = logits[i * classes + c];
        }
        int rank = Knn.rankOf(row, test.labels()[from + i]);
        top1 += rank == 0 ? 1 : 0;
        top5 += rank < 5 ? 1 : 0;
      }
    }
    return new double[] {(double) top1 / test.count(), (double) top5 / test.count()};
  }

  private NDArray logits(NDArray input, NDArray[] keep) {
    NDArray states = Encoder.forward(model, config, input, keep);
    NDArray pooled = Encoder.normalize(states.get(":, 1:").mean(new int[] {1}));
    pooled = pooled.mul(model.get("fc_norm.weight")).add(model.get("fc_norm.bias"));
    return pooled.matMul(model.get("head.weight").transpose()).add(model.get("head.bias"));
  }

  /** Per block a [B, 1, 1] multiplier: 0 with the block's drop rate, else 1 / keep rate. */
  private NDArray[] dropPathMultipliers(int b) {
    if (settings.dropPath() <= 0) {
      return null;
    }
    int depth = config.depth();
    NDArray[] keep = new NDArray[depth];
    for (int i = 0; i < depth; i++) {
      double rate = depth == 1 ? settings.dropPath() : settings.dropPath() * i / (depth - 1);
      float[] m = new float[b];
      for (int s = 0; s < b; s++) {
        m[s] = rng.nextDouble() < rate ? 0f : (float) (1 / (1 - rate));
      }
      keep[i] = manager.create(m, new Shape(b, 1, 1));
    }
    return keep;
  }

  private void shuffle(int[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** A standard normal draw truncated at +-2, as timm's trunc_normal_ for the head. */
  private static double truncatedNormal(SplittableRandom r) {
    double v;
    do {
      v = r.nextGaussian();
    } while (Math.abs(v) > 2);
    return v;
  }

  @Override
  public void close() {
    optimizer.close();
    model.close();
    manager.close();
  }
}
