#!/usr/bin/env bash
# Builds recur and runs the whole test suite: the Release build, then the ASan+UBSan build.
# Usage: bash scripts/test.sh            (from the repository root)
#        RECUR_SKIP_SANITIZE=1 bash scripts/test.sh   to run only the Release build
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# One job more than cores: compiles wait on I/O often enough that a third keeps both cores busy.
jobs=$(( $(nproc) + 1 ))

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DRECUR_BUILD_BENCH=ON >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

if [ -z "${RECUR_SKIP_SANITIZE:-}" ]; then
  # -O0: with ASan, optimising Eigen-heavy files costs minutes and gigabytes per file.
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DRECUR_SANITIZE=ON -DRECUR_BUILD_BENCH=OFF \
        -DRECUR_BUILD_CLI=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs"
fi
