/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.kmeans;

/**
 * The outcome of one centroid update.
 *
 * @param centroids new centroids, row-major [k, dim]
 * @param clusterSizes points per cluster after splitting (a split halves the count, as faiss
 *     assumes an even split); the total equals the number of points
 * @param emptyClustersSplit how many empty clusters were refilled
 */
public record CentroidUpdate(float[] centroids, long[] clusterSizes, int emptyClustersSplit) {}
