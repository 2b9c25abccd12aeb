/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.kmeans;

/**
 * What one k-means iteration did.
 *
 * @param iteration 0-based
 * @param objective sum of squared distances of the points to the centroids they were assigned to in
 *     this iteration (the centroids before this iteration's update, as faiss reports it)
 * @param emptyClustersSplit empty clusters refilled by splitting a larger one
 * @param seconds wall time of this iteration
 */
public record IterationStats(
    int iteration, double objective, int emptyClustersSplit, double seconds) {}
