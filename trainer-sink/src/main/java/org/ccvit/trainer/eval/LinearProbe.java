/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.eval;

import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import org.ccvit.trainer.optim.CosineSchedule;

/**
 * MAE's linear probe on frozen features: a BatchNorm without affine parameters before a linear
 * classifier, trained with softmax cross-entropy by SGD with momentum 0.9 on a warm-up + cosine
 * rate. The BatchNorm is applied with the training set's mean and variance, which is what its
 * running statistics converge to and what it applies at evaluation.
 */
public final class LinearProbe {
  private static final double BN_EPS = 1e-6;
  private static final double MOMENTUM = 0.9;
  private static final double HEAD_INIT_STD = 0.01;

  /**
   * @param epochs passes over the training features
   * @param batchSize features per SGD step
   * @param lr peak learning rate
   * @param weightDecay L2 penalty on the weights (not the bias)
   * @param seed init and shuffling
   */
  public record Settings(int epochs, int batchSize, double lr, double weightDecay, long seed) {}

  /** Accuracies in [0, 1] on the test features, and the mean training loss of each epoch. */
  public record Result(double top1, double top5, double[] epochLoss) {}

  private LinearProbe() {}

  /**
   * @param epochDone receives the number of epochs done after each one
   */
  public static Result train(
      float[][] train,
      int[] trainLabels,
      float[][] test,
      int[] testLabels,
      Settings s,
      IntConsumer epochDone) {
    int n = train.length;
    int d = train[0].length;
    int classes =
        Math.max(
                java.util.stream.IntStream.of(trainLabels).max().orElse(0),
                java.util.stream.IntStream.of(testLabels).max().orElse(0))
            + 1;
    double[] mean = new double[d];
    double[] var = new double[d];
    for (float[] row : train) {
      for (int j = 0; j < d; j++) {
        mean[j] += row[j];
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= n;
    }
    for (float[] row : train) {
      for (int j = 0; j < d; j++) {
        double c = row[j] - mean[j];
        var[j] += c * c;
      }
    }
    double[] invStd = new double[d];
    for (int j = 0; j < d; j++) {
      invStd[j] = 1 / Math.sqrt(var[j] / n + BN_EPS);
    }
    double[][] x = standardized(train, mean, invStd);
    double[][] xt = standardized(test, mean, invStd);

    SplittableRandom rng = new SplittableRandom(s.seed());
    double[][] w = new double[classes][d];
    for (double[] row : w) {
      for (int j = 0; j < d; j++) {
        row[j] = rng.nextGaussian() * HEAD_INIT_STD;
      }
    }
    double[] bias = new double[classes];
    double[][] vw = new double[classes][d];
    double[] vb = new double[classes];
    long stepsPerEpoch = (n + s.batchSize() - 1) / s.batchSize();
    long total = stepsPerEpoch * s.epochs();
    CosineSchedule schedule = new CosineSchedule(s.lr(), 0, Math.min(stepsPerEpoch, total), total);
    int[] order = java.util.stream.IntStream.range(0, n).toArray();
    double[] epochLoss = new double[s.epochs()];
    long step = 0;
    double[][] gw = new double[classes][d];
    double[] gb = new double[classes];
    double[] p = new double[classes];
    for (int epoch = 0; epoch < s.epochs(); epoch++) {
      shuffle(order, rng);
      double lossSum = 0;
      for (int from = 0; from < n; from += s.batchSize()) {
        int to = Math.min(n, from + s.batchSize());
        for (double[] row : gw) {
          java.util.Arrays.fill(row, 0);
        }
        java.util.Arrays.fill(gb, 0);
        for (int i = from; i < to; i++) {
          double[] xi = x[order[i]];
          int y = trainLabels[order[i]];
          lossSum += softmax(w, bias, xi, p, y);
          p[y] -= 1;
          for (int c = 0; c < classes; c++) {
            gb[c] += p[c];
            double pc = p[c];
            double[] g = gw[c];
            for (int j = 0; j < d; j++) {
              g[j] += pc * xi[j];
            }
          }
        }
        double lr = schedule.valueAt(step++);
        double scale = 1.0 / (to - from);
        for (int c = 0; c < classes; c++) {
          for (int j = 0; j < d; j++) {
            double g = gw[c][j] * scale + s.weightDecay() * w[c][j];
            vw[c][j] = MOMENTUM * vw[c][j] + g;
            w[c][j] -= lr * vw[c][j];
          }
          vb[c] = MOMENTUM * vb[c] + gb[c] * scale;
          bias[c] -= lr * vb[c];
        }
      }
      epochLoss[epoch] = lossSum / n;
      epochDone.accept(epoch + 1);
    }
    long top1 = 0;
    long top5 = 0;
    for (int i = 0; i < xt.length; i++) {
      softmax(w, bias, xt[i], p, testLabels[i]);
      int rank = Knn.rankOf(p, testLabels[i]);
      top1 += rank == 0 ? 1 : 0;
      top5 += rank < 5 ? 1 : 0;
    }
    return new Result((double) top1 / xt.length, (double) top5 / xt.length, epochLoss);
  }

  /** Fills {@code p} with the class probabilities and returns the cross-entropy for {@code y}. */
  private static double softmax(double[][] w, double[] bias, double[] x, double[] p, int y) {
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < w.length; c++) {
      double z = bias[c];
      double[] wc = w[c];
      for (int j = 0; j < x.length; j++) {
        z += wc[j] * x[j];
      }
      p[c] = z;
      max = Math.max(max, z);
    }
    double sum = 0;
    for (int c = 0; c < w.length; c++) {
      p[c] = Math.exp(p[c] - max);
      sum += p[c];
    }
    for (int c = 0; c < w.length; c++) {
      p[c] /= sum;
    }
    return -Math.log(Math.max(p[y], 1e-300));
  }

  private static double[][] standardized(float[][] rows, double[] mean, double[] invStd) {
    double[][] out = new double[rows.length][mean.length];
    for (int i = 0; i < rows.length; i++) {
      for (int j = 0; j < mean.length; j++) {
        out[i][j] = (rows[i][j] - mean[j]) * invStd[j];
      }
    }
    return out;
  }

  private static void shuffle(int[] a, SplittableRandom rng) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
