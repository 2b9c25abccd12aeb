#!/bin/sh
# Builds the MKL dispatch library (mkl_cpu_dispatch.c) into $1. Without a C compiler the build
# goes on without it: PyTorch then keeps MKL's vendor-based kernel choice (slower, not wrong).
set -eu
out="$1"
src="$(dirname "$0")/mkl_cpu_dispatch.c"
mkdir -p "$out"
if command -v cc >/dev/null 2>&1; then
  cc -shared -fPIC -O2 -o "$out/libccvit-mkl-dispatch.so" "$src"
else
  echo "WARNING: no C compiler (cc): libccvit-mkl-dispatch.so not built; on non-Intel CPUs PyTorch's" \
    "MKL keeps its slower AVX2 kernels. Install gcc and rebuild to get the CPU's own kernels." >&2
fi
