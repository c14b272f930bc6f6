#!/bin/bash
# bench/ab.sh OLD NEW MODEL THREADS [PAIRS]: two recur binaries (or wrappers that set an
# environment, e.g. RECUR_AVX512=0) on one `recur bench MODEL --train-only` measure, interleaved
# in 0.5 s slices (this machine's speed drifts over minutes). Prints each side's median training
# windows/s and the median of the pairs' ratios NEW / OLD, with every pair's ratio.
set -euo pipefail
old=$1 new=$2 model=$3 threads=$4 pairs=${5:-8}
rate() {
    "$1" bench "$model" --threads "$threads" --seconds 0.5 --train-only |
        /usr/bin/python3 -c "import json, sys; print(json.load(sys.stdin)['train_windows_per_s'])"
}
results=""
for _ in $(seq "$pairs"); do results="$results $(rate "$old"),$(rate "$new")"; done
/usr/bin/python3 - "$model" "$threads" $results <<'PY'
import statistics as st, sys
model, threads, pairs = sys.argv[1], sys.argv[2], [tuple(map(float, p.split(","))) for p in sys.argv[3:]]
ratios = [b / a for a, b in pairs]
print(f"{model} {threads} threads: old {st.median(a for a, _ in pairs):,.0f} new "
      f"{st.median(b for _, b in pairs):,.0f} windows/s, median ratio {st.median(ratios):.3f} "
      f"(pairs: {' '.join(f'{r:.2f}' for r in ratios)})")
PY
