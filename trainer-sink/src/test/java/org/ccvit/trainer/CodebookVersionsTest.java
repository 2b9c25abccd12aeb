/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import static org.ccvit.trainer.TinySamples.randomCodebook;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ccvit.tokenizer.codebook.Codebook;
import org.junit.jupiter.api.Test;

class CodebookVersionsTest {

  private final Codebook v1 = randomCodebook(1);
  private final Codebook v2 = randomCodebook(2);
  private final Codebook v3 = randomCodebook(3);

  @Test
  void versionsRetireInArrivalOrderAndARepublishedOneIsNewerAgain() {
    CodebookVersions versions = new CodebookVersions();
    assertEquals(CodebookVersions.Route.UNKNOWN, versions.route(v1.version()));
    assertTrue(versions.add(v1));
    assertFalse(versions.add(v1), "the same version twice adds nothing");
    assertNull(versions.current());
    assertEquals(CodebookVersions.Route.NEWER, versions.route(v1.version()));
    versions.switchTo(v1.version());
    assertEquals(CodebookVersions.Route.CURRENT, versions.route(v1.version()));

    versions.add(v2);
    versions.add(v3);
    assertEquals(CodebookVersions.Route.NEWER, versions.route(v2.version()));
    // A sample of v3 comes first: v1 and v2, which nothing trained on after, are left behind.
    assertEquals(v3, versions.switchTo(v3.version()));
    assertEquals(CodebookVersions.Route.RETIRED, versions.route(v1.version()));
    assertEquals(CodebookVersions.Route.RETIRED, versions.route(v2.version()));
    assertEquals(List.of(v1.version(), v2.version()), versions.retired());

    // Rolling back to v1 by publishing it again.
    assertTrue(versions.add(v1));
    assertEquals(CodebookVersions.Route.NEWER, versions.route(v1.version()));
    versions.switchTo(v1.version());
    assertEquals(CodebookVersions.Route.RETIRED, versions.route(v3.version()));
    assertEquals(List.of(v1), versions.known());

    CodebookVersions copy = CodebookVersions.of(versions.known(), true, versions.retired());
    assertEquals(CodebookVersions.Route.CURRENT, copy.route(v1.version()));
    assertEquals(CodebookVersions.Route.RETIRED, copy.route(v2.version()));
  }
}
