/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.List;

/**
 * The token rows a last block has to compute: the same number R of rows of every image of [B, T, D]
 * states (an image with fewer repeats row 0), so a block can run its queries, residuals and MLP on
 * [B, R, D] while its keys and values still come from all T rows. A block's output row is a
 * function of its own input row and all keys and values, so the selected rows equal those of the
 * whole computation.
 */
final class QueryRows {
  private final NDArray flat;
  private final long[] rowsInImage;
  private final long batch;
  private final long perImage;
  private final long tokens;
  private final long[] outputRows;

  private QueryRows(
      NDArray flat, long[] rowsInImage, long batch, long perImage, long tokens, long[] outputRows) {
    this.flat = flat;
    this.rowsInImage = rowsInImage;
    this.batch = batch;
    this.perImage = perImage;
    this.tokens = tokens;
    this.outputRows = outputRows;
  }

  /**
   * The rows of the patches at loss positions, with the CLS row first if {@code withCls}.
   *
   * @param lossPositions row-major flat patch positions b*N + p, in output order
   * @param tokens T = 1 + N
   */
  static QueryRows forLoss(
      NDManager manager, long[] lossPositions, long batch, long tokens, boolean withCls) {
    long patches = tokens - 1;
    List<List<Long>> rows = new ArrayList<>();
    for (int b = 0; b < batch; b++) {
      rows.add(new ArrayList<>(withCls ? List.of(0L) : List.of()));
    }
    long[] outputPlace = new long[lossPositions.length];
    long[] outputImage = new long[lossPositions.length];
    for (int k = 0; k < lossPositions.length; k++) {
      long b = lossPositions[k] / patches;
      List<Long> image = rows.get((int) b);
      outputImage[k] = b;
      outputPlace[k] = image.size();
      image.add(1 + lossPositions[k] % patches);
    }
    long perImage = rows.stream().mapToLong(List::size).max().orElse(0);
    long[] rowsInImage = new long[(int) (batch * perImage)];
    long[] flat = new long[rowsInImage.length];
    for (int b = 0; b < batch; b++) {
      List<Long> image = rows.get(b);
      for (int r = 0; r < perImage; r++) {
        int at = (int) (b * perImage + r);
        rowsInImage[at] = r < image.size() ? image.get(r) : 0;
        flat[at] = b * tokens + rowsInImage[at];
      }
    }
    long[] outputRows = new long[lossPositions.length];
    for (int k = 0; k < outputRows.length; k++) {
      outputRows[k] = outputImage[k] * perImage + outputPlace[k];
    }
    return new QueryRows(manager.create(flat), rowsInImage, batch, perImage, tokens, outputRows);
  }

  /** The selected rows of [B, T, D] states, as [B, R, D]. */
  NDArray of(NDArray states) {
    long d = states.getShape().get(2);
    return states
        .reshape(batch * tokens, d)
        .get(new NDIndex("{}", flat))
        .reshape(batch, perImage, d);
  }

  /** The selected query rows of a [heads, T, T] attention bias, as [B, heads, R, T]. */
  NDArray ofBias(NDArray relBias) {
    long heads = relBias.getShape().get(0);
    return relBias
        .get(new NDIndex(":, {}", flat.getManager().create(rowsInImage)))
        .reshape(heads, batch, perImage, tokens)
        .transpose(1, 0, 2, 3);
  }

  /** The rows at the loss positions, in their order, of [B, R, D] states computed on these rows. */
  NDArray atLossPositions(NDArray selectedStates) {
    long d = selectedStates.getShape().get(2);
    NDArray index = flat.getManager().create(outputRows);
    return selectedStates.reshape(batch * perImage, d).get(new NDIndex("{}", index));
  }
}
