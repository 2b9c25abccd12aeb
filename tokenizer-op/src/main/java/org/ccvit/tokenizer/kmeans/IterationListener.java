/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.kmeans;

/** Called after every k-means iteration, e.g. to log progress. */
@FunctionalInterface
public interface IterationListener {
  void onIteration(IterationStats stats);
}
