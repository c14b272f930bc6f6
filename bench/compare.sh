#!/usr/bin/env bash
# bench/compare.sh — recur (bench_rnn) vs PyTorch (bench/pytorch_rnn.py), interleaved.
#
#   bench/compare.sh [--reps 3] [--slice 0.25] [--threads 1,2] [--filter REGEX] [--no-build]
#
# Builds bench_rnn in build-bench (Release), then for every case and thread count runs REPS
# short slices of each side, alternating recur and PyTorch (and flipping which goes first on each
# repetition) so that this machine's speed drift hits both alike. recur runs as one bench_rnn
# process per slice (--benchmark_filter, --benchmark_min_time=SLICE, --benchmark_format=json);
# PyTorch runs in one long-lived `pytorch_rnn.py --serve` process (torch's import is slow).
# Prints a table of medians, windows/s, with a "best" row per case taking each side at its best
# thread count. Raw slices go to build-bench/compare.jsonl. A full run takes ~3-5 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

REPS=3 SLICE=0.25 THREADS=1,2 FILTER="" BUILD=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --reps) REPS="$2"; shift 2 ;;
        --slice) SLICE="$2"; shift 2 ;;
        --threads) THREADS="$2"; shift 2 ;;
        --filter) FILTER="$2"; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "compare.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

if [[ $BUILD == 1 ]]; then
    cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build-bench --target bench_rnn -j"$(nproc)" >/dev/null
fi
if ! /usr/bin/python3 -c "import torch" >/dev/null 2>&1; then
    echo "$(basename "$0"): PyTorch is not importable by /usr/bin/python3" \
         "(apt-get install -y python3-torch libopenblas0-pthread)" >&2
    exit 1
fi
if ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
    echo "warning: libopenblas0-pthread is not installed; PyTorch falls back to reference BLAS" \
         "(apt-get install -y libopenblas0-pthread)" >&2
fi

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); nproc $(nproc);" \
     "$(lscpu | grep 'Model name' | sed 's/  */ /g'); load avg $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# reps $REPS, slice ${SLICE}s per side, threads $THREADS"

REPS="$REPS" SLICE="$SLICE" THREADS="$THREADS" FILTER="$FILTER" python3 - <<'EOF'
import json, math, os, re, statistics, subprocess, sys, time

reps, slice_s = int(os.environ["REPS"]), float(os.environ["SLICE"])
threads = [int(t) for t in os.environ["THREADS"].split(",")]
pattern = re.compile(os.environ["FILTER"])
bench = "build-bench/bench_rnn"
pytorch = ["/usr/bin/python3", "bench/pytorch_rnn.py", "--serve"]

listed = subprocess.run([bench, "--benchmark_list_tests"], check=True, capture_output=True,
                        text=True).stdout.split()
cases = []
for name in listed:
    if "/threads:" not in name:  # kernel/ cases: recur's step products alone, no PyTorch side
        continue
    case = re.sub(r"/threads:\d+(/real_time)?$", "", name)
    if case not in cases and pattern.search(case):
        cases.append(case)
py_cases = set(subprocess.run(pytorch[:2] + ["--list"], check=True, capture_output=True,
                              text=True).stdout.split())

def run_cpp(case, t):
    out = subprocess.run([bench, f"--benchmark_filter=^{case}/threads:{t}/",
                          f"--benchmark_min_time={slice_s}", "--benchmark_format=json"],
                         check=True, capture_output=True, text=True).stdout
    b = json.loads(out)["benchmarks"][0]
    return {"side": "recur", "case": case, "threads": t, "windows_per_s": b["items_per_second"],
            "us_per_iter": b["real_time"], "gflops": b["GFLOPs"]}

worker = subprocess.Popen(pytorch, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
impl = {}

def run_py(case, t):
    worker.stdin.write(f"{case} {t} {slice_s}\n")
    worker.stdin.flush()
    line = worker.stdout.readline()
    if not line:
        sys.exit("pytorch_rnn.py --serve died")
    r = json.loads(line)
    impl[case] = r["impl"]
    r["side"] = "pytorch"
    return r

t0 = time.time()
results = {}  # (side, case, threads) -> [windows/s]
with open("build-bench/compare.jsonl", "w") as raw:
    for case in cases:
        for t in threads:
            for rep in range(reps):
                sides = [run_cpp, run_py] if case in py_cases else [run_cpp]
                if rep % 2:
                    sides.reverse()
                for fn in sides:
                    r = fn(case, t)
                    raw.write(json.dumps(r) + "\n")
                    results.setdefault((r["side"], case, t), []).append(r["windows_per_s"])
        print(f"  {case} done ({time.time() - t0:.0f}s)", file=sys.stderr, flush=True)
worker.stdin.close()
worker.wait()

def med(side, case, t):
    v = results.get((side, case, t))
    return statistics.median(v) if v else None

def fmt(x):
    return "-" if x is None else (f"{x:,.0f}" if x >= 100 else f"{x:.1f}")

print(f"{'case':<30} {'threads':>8} {'recur win/s':>13} {'PyTorch win/s':>14} {'recur/PyTorch':>13}")
ratios = {}
for case in cases:
    star = "*" if "reset_after" in impl.get(case, "") else ""
    rows = [(str(t), med("recur", case, t), med("pytorch", case, t)) for t in threads]
    if len(threads) > 1:
        best = lambda side: max(((med(side, case, t), t) for t in threads
                                 if med(side, case, t) is not None), default=(None, None))
        (rb, rt), (pb, pt) = best("recur"), best("pytorch")
        rows.append((f"best {rt}/{pt or '-'}", rb, pb))
    for label, r, p in rows:
        ratio = r / p if r and p else None
        print(f"{case:<30} {label:>8} {fmt(r):>13} {fmt(p) + star:>14} "
              f"{'-' if ratio is None else f'{ratio:.2f}':>13}")
    if rows[-1][1] and rows[-1][2]:
        ratios.setdefault(case.split("/")[0], []).append(rows[-1][1] / rows[-1][2])
print()
for kind, v in ratios.items():
    gm = math.exp(sum(math.log(x) for x in v) / len(v))
    print(f"geometric mean recur/PyTorch ({'best' if len(threads) > 1 else threads[0]} threads), "
          f"{kind}: {gm:.2f} over {len(v)} cases")
if any("reset_after" in v for v in impl.values()):
    print("* PyTorch has no reset_after=False GRU: gru_before is compared with nn.GRU "
          "(reset_after=True, the same GEMM work).")
print(f"# wall time {time.time() - t0:.0f}s")
EOF
