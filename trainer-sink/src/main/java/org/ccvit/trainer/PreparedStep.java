/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import java.util.List;
import org.ccvit.tokenizer.codebook.Codebook;

/**
 * One optimizer step's inputs, built ahead of the step (pure Java arrays, no PyTorch).
 *
 * @param microBatches the micro-batches whose gradients the step sums
 * @param replicaOf the model replica (device) each micro-batch runs on
 * @param codebook the codebook the inputs were built with; the step refuses another
 * @param buildNanos time spent building them
 */
record PreparedStep(
    List<TrainingBatch> microBatches,
    List<Integer> replicaOf,
    Codebook codebook,
    long buildNanos) {}
