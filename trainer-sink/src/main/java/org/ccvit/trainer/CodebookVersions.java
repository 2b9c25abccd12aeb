/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.ccvit.tokenizer.codebook.Codebook;

/**
 * The codebook versions the trainer knows, in the order they arrived: the one it trains with, those
 * that arrived after it (newer: a sample naming one switches the trainer to it), and those it has
 * left behind (retired: their samples are stale). A retired version that is published again is
 * newer again, so a rollback to an earlier codebook works like any other change.
 */
public final class CodebookVersions {

  /** What a sample's version means to the trainer. */
  public enum Route {
    /** The version in use: train on the sample. */
    CURRENT,
    /** Arrived after the one in use: switch to it at this batch boundary. */
    NEWER,
    /** Replaced by a later version: the sample is stale. */
    RETIRED,
    /** Not arrived yet (its codebook is still on its way): hold the sample until it does. */
    UNKNOWN
  }

  /** The version in use (if any) first, then newer ones in arrival order. */
  private final List<Codebook> known = new ArrayList<>();

  private final Set<String> retired = new LinkedHashSet<>();
  private boolean inUse;

  /**
   * Learns a version. Returns false when it adds nothing: the version is in use or already known to
   * come.
   */
  public boolean add(Codebook codebook) {
    if (indexOf(codebook.version()) >= 0) {
      return false;
    }
    retired.remove(codebook.version());
    known.add(codebook);
    return true;
  }

  public Route route(String version) {
    int index = indexOf(version);
    if (index == 0 && inUse) {
      return Route.CURRENT;
    }
    if (index >= 0) {
      return Route.NEWER;
    }
    return retired.contains(version) ? Route.RETIRED : Route.UNKNOWN;
  }

  /** Makes a known version the one in use; the one in use before it and all between retire. */
  public Codebook switchTo(String version) {
    int index = indexOf(version);
    if (index < 0) {
      throw new IllegalArgumentException("codebook version " + version + " is not known");
    }
    for (Codebook left : known.subList(0, index)) {
      retired.add(left.version());
    }
    known.subList(0, index).clear();
    inUse = true;
    return known.get(0);
  }

  /** The version in use, or null before the first switch. */
  public Codebook current() {
    return inUse ? known.get(0) : null;
  }

  /** Every known codebook, the one in use first (what a snapshot keeps). */
  public List<Codebook> known() {
    return List.copyOf(known);
  }

  /** Versions left behind, oldest first. */
  public List<String> retired() {
    return List.copyOf(retired);
  }

  /** Rebuilds the versions a snapshot kept. */
  public static CodebookVersions of(List<Codebook> known, boolean inUse, List<String> retired) {
    CodebookVersions versions = new CodebookVersions();
    versions.known.addAll(known);
    versions.retired.addAll(retired);
    versions.inUse = inUse && !known.isEmpty();
    return versions;
  }

  private int indexOf(String version) {
    for (int i = 0; i < known.size(); i++) {
      if (known.get(i).version().equals(version)) {
        return i;
      }
    }
    return -1;
  }
}
