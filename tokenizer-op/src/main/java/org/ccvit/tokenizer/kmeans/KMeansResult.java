/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.kmeans;

import java.util.List;

/**
 * Final centroids of a k-means run.
 *
 * @param centroids row-major [k, dim]
 * @param objective the last iteration's objective (faiss semantics: measured against the centroids
 *     that went into the last update)
 * @param iterations per-iteration statistics, in order
 */
public record KMeansResult(
    float[] centroids, int k, int dim, double objective, List<IterationStats> iterations) {}
