/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * Preloaded (LD_PRELOAD) into JVMs that train with PyTorch on CPU; see MklDispatch.java.
 *
 * The MKL linked into libtorch asks this function whether the CPU is an Intel one before it
 * looks at the CPU's features: on other vendors' CPUs it settles for its AVX2 kernels even where
 * the CPU has AVX-512 (2.5x slower training steps on an AMD EPYC with AVX-512). Answering yes
 * makes MKL choose its kernels by the features the CPU reports, as it does on Intel CPUs.
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
