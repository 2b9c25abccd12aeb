/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.model;

import ai.djl.ndarray.NDArray;

/**
 * The model's two heads at the loss positions, rows in row-major (image, patch) order.
 *
 * @param tokenLogits [M, vocabSize]
 * @param pixelPredictions [M, C*P*P], predictions of the per-patch normalized pixels
 */
public record ModelOutput(NDArray tokenLogits, NDArray pixelPredictions) {}
