/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class KnnTest {

  @Test
  void separableClustersAreClassifiedPerfectlyAndRandomLabelsAtChance() {
    SyntheticFeatures train = SyntheticFeatures.clusters(50, 10, 64, 0.3, 1);
    SyntheticFeatures test = SyntheticFeatures.clusters(20, 10, 64, 0.3, 2);
    Knn.Accuracy a =
        new Knn(20, 0.07)
            .evaluate(train.features(), train.labels(), test.features(), test.labels(), 64);
    assertEquals(1.0, a.top1());
    assertEquals(1.0, a.top5());

    // The same features with the test labels shifted by one class: the neighbours all vote for
    // the cluster's own class, the shifted class gets no vote, and a class without votes is never
    // ranked (ties count against the truth), so it is not in the top 5 either.
    int[] wrong = test.labels().clone();
    for (int i = 0; i < wrong.length; i++) {
      wrong[i] = (wrong[i] + 1) % 10;
    }
    Knn.Accuracy shifted =
        new Knn(20, 0.07).evaluate(train.features(), train.labels(), test.features(), wrong, 64);
    assertEquals(0.0, shifted.top1());
    assertEquals(0.0, shifted.top5());
  }

  @Test
  void votesAreWeightedByExponentialSimilarity() {
    // Query (1, 0). Train: two of class 0 at 60 degrees (cos 0.5), one of class 1 at 0 degrees
    // (cos 1). With T = 0.1: class 1 gets e^10 = 22026, class 0 gets 2 e^5 = 297: class 1 wins.
    // With T = 10 the weights are nearly equal and the two votes of class 0 win.
    float c = 0.5f;
    float s = (float) Math.sqrt(0.75);
    float[][] train = {{c, s}, {c, -s}, {2f, 0f}};
    int[] labels = {0, 0, 1};
    float[][] query = {{3f, 0f}};
    assertEquals(1.0, new Knn(3, 0.1).evaluate(train, labels, query, new int[] {1}, 1).top1());
    assertEquals(1.0, new Knn(3, 10).evaluate(train, labels, query, new int[] {0}, 1).top1());
    // k = 1 keeps only the nearest.
    assertEquals(1.0, new Knn(1, 10).evaluate(train, labels, query, new int[] {1}, 1).top1());
  }
}
