#!/usr/bin/env bash
# Builds recur and runs the whole test suite: the Release build (GCC), then the ASan+UBSan build
# (Clang: a second compiler, and it builds the unoptimised sanitizer objects in half GCC's time).
# Usage: bash scripts/test.sh            (from the repository root)
#        RECUR_SKIP_SANITIZE=1 bash scripts/test.sh   to run only the Release build
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/configure.sh
# One job more than cores: compiles wait on I/O often enough that a third keeps both cores busy.
jobs=$(( $(nproc) + 1 ))

configure build g++ -DCMAKE_BUILD_TYPE=Release -DRECUR_BUILD_BENCH=ON
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"
# Again with the AVX-512 GEMM off: the path every CPU without AVX-512 takes (a no-op elsewhere).
RECUR_AVX512=0 ctest --test-dir build --output-on-failure -j"$jobs"

if [ -z "${RECUR_SKIP_SANITIZE:-}" ]; then
  # -O0: with ASan, optimising Eigen-heavy files costs minutes and gigabytes per file.
  configure build-asan clang++ -DCMAKE_BUILD_TYPE=Debug -DRECUR_SANITIZE=ON \
            -DRECUR_BUILD_BENCH=OFF -DRECUR_BUILD_CLI=ON
  cmake --build build-asan -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs"
fi
