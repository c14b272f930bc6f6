#!/bin/sh
# check_avx512_object.sh LIBRARY: the member of the static library built from gemm_avx512.cpp
# (compiled for AVX-512) must define no weak function outside its renamed Eigen namespace. A weak
# (inline or template) function it shared with the portable files could be the copy the linker
# keeps, and a portable caller would then run AVX-512 instructions on a CPU without them.
set -eu
lib=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
member=$(ar t "$lib" | grep 'gemm_avx512' || true)
if [ -z "$member" ]; then
    echo "no gemm_avx512 object in $lib (built without the AVX-512 kernels): nothing to check"
    exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
(cd "$dir" && ar x "$lib" "$member")
weak=$(nm -C --defined-only "$dir/$member" | awk '$2 == "W" || $2 == "u"' |
    grep -v 'recur_eigen_avx512::' || true)
total=$(nm -C --defined-only "$dir/$member" | awk '$2 == "W" || $2 == "u"' | wc -l)
if [ -n "$weak" ]; then
    echo "weak symbols of $member outside recur_eigen_avx512:"
    echo "$weak"
    exit 1
fi
echo "$member: $total weak symbols, all in recur_eigen_avx512"
