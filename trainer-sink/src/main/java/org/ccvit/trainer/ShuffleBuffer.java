/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import java.util.ArrayList;
import java.util.List;
import org.ccvit.tokenizer.random.SeededDraws;

/**
 * A shuffle buffer: it holds up to {@code capacity} items, and every item that arrives at a full
 * buffer releases one item drawn uniformly from the buffer and the newcomer. Draws come from {@link
 * SeededDraws} by number, so contents plus draw count are the whole state: a restored buffer
 * releases exactly what the uninterrupted one would. Capacity 0 passes items through in order.
 *
 * @param <T> the items
 */
public final class ShuffleBuffer<T> {

  private final int capacity;
  private final long seed;
  private final List<T> items = new ArrayList<>();
  private long draws;

  public ShuffleBuffer(int capacity, long seed) {
    if (capacity < 0) {
      throw new IllegalArgumentException("shuffle buffer capacity must be >= 0, got " + capacity);
    }
    this.capacity = capacity;
    this.seed = seed;
  }

  /** Takes an item; returns the item it releases, or null while the buffer is filling. */
  public T offer(T item) {
    items.add(item);
    return items.size() > capacity ? draw() : null;
  }

  /**
   * Releases one item drawn uniformly from those held (end of input, a bounded wait, a codebook
   * switch); the buffer must not be empty.
   */
  public T draw() {
    int size = items.size();
    if (size == 0) {
      throw new IllegalStateException("the shuffle buffer is empty");
    }
    int index = SeededDraws.uniform(seed, draws++, size);
    // The last item moves into the hole: O(1), and the order stays a function of the history.
    T drawn = items.get(index);
    items.set(index, items.get(size - 1));
    items.remove(size - 1);
    return drawn;
  }

  /** Everything held, in seeded order (the buffer is empty afterwards). */
  public List<T> drain() {
    List<T> out = new ArrayList<>(items.size());
    while (!items.isEmpty()) {
      out.add(draw());
    }
    return out;
  }

  public int size() {
    return items.size();
  }

  public boolean isEmpty() {
    return items.isEmpty();
  }

  public int capacity() {
    return capacity;
  }

  /** Draws made so far: with the contents, the state a checkpoint keeps. */
  public long draws() {
    return draws;
  }

  /** The items held, in buffer order (what a checkpoint keeps). */
  public List<T> contents() {
    return List.copyOf(items);
  }

  /** Continues from a checkpoint's contents and draw count. */
  public void restore(List<T> contents, long drawsSoFar) {
    items.clear();
    items.addAll(contents);
    draws = drawsSoFar;
  }
}
