/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpenBlasKernelTest {

  @Test
  void kernelFollowsTheCpuFlags() {
    assertEquals(
        Optional.of("SkylakeX"),
        OpenBlasKernel.forFlags(
            Set.of("sse4_2", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq")));
    assertEquals(Optional.of("Haswell"), OpenBlasKernel.forFlags(Set.of("avx2", "fma", "avx")));
    assertEquals(Optional.empty(), OpenBlasKernel.forFlags(Set.of("sse4_2", "avx")));
  }

  @Test
  void aUsersChoiceIsKept() {
    Map<String, String> environment = new HashMap<>(Map.of("OPENBLAS_CORETYPE", "Prescott"));
    OpenBlasKernel.configure(environment);
    assertEquals("Prescott", environment.get("OPENBLAS_CORETYPE"));
  }
}
