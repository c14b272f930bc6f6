#!/bin/sh
# check_avx512_object.sh LIBRARY.a: the member of the static library built from gemm_avx512.cpp
# (compiled for AVX-512) must define no weak function outside its renamed Eigen namespace. A weak
# (inline or template) function it shared with the portable files could be the copy the linker
# keeps, and a portable caller would then run AVX-512 instructions on a CPU without them.
set -eu
lib=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
members=$(ar t "$lib")  # fails (and so does the test) if LIBRARY is not an archive
member=$(printf '%s\n' "$members" | grep 'gemm_avx512' || true)
if [ -z "$member" ]; then
    echo "no gemm_avx512 object in $lib (built without the AVX-512 kernels): nothing to check"
    exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
(cd "$dir" && ar x "$lib" "$member")
nm -C --defined-only "$dir/$member" > "$dir/symbols"
awk '$2 == "W" || $2 == "u"' "$dir/symbols" > "$dir/weak"
total=$(wc -l < "$dir/weak")
if [ "$total" -eq 0 ]; then
    echo "$member defines no weak symbol at all: not the object this check was written for"
    exit 1
fi
if grep -v 'recur_eigen_avx512::' "$dir/weak"; then
    echo "weak symbols of $member outside recur_eigen_avx512 (listed above)"
    exit 1
fi
echo "$member: $total weak symbols, all in recur_eigen_avx512"
