#!/usr/bin/env bash
# bench/compare_models.sh — `recur bench` vs bench/pytorch_models.py on the book's four models
# (imdb also with Zipf-distributed word ids: imdb-zipf) and the large LSTM, interleaved, with the
# machine's sgemm ceiling from the same run.
#
#   bench/compare_models.sh [--reps 3] [--seconds 0.5] [--threads 1,2] [--models sp500,...]
#                           [--no-build]
#
# Builds `recur` in build-bench (Release). Then, for every model and thread count, REPS slices per
# side, alternating recur and PyTorch and flipping which goes first on each repetition (this
# machine's speed drifts by up to 2x over minutes; both sides must see the same drift). A recur
# slice is one `recur bench MODEL --threads T --seconds S` process (all measures); PyTorch runs in
# one long-lived `pytorch_models.py --serve` process. The sgemm ceiling (torch.mm, 2048^3, OpenBLAS)
# is measured at 1 and 2 threads before and after the models. Prints medians per side and thread
# count, then a "best" row per measure taking each side at its best thread count, the ratio
# recur / PyTorch (for latency and stream step: PyTorch time / recur time, so higher = recur
# faster everywhere), and recur's training GFLOP/s as a share of the 2-thread sgemm ceiling.
# Raw slices: build-bench/compare_models.jsonl. Takes about 6 minutes with the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."

REPS=3 SECONDS_PER=0.5 THREADS=1,2 MODELS=sp500,macro,stocks,imdb,imdb-zipf,large BUILD=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --reps) REPS="$2"; shift 2 ;;
        --seconds) SECONDS_PER="$2"; shift 2 ;;
        --threads) THREADS="$2"; shift 2 ;;
        --models) MODELS="$2"; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "compare_models.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

if [[ $BUILD == 1 ]]; then
    cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build-bench --target recur_cli -j"$(nproc)" >/dev/null
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

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD 2>/dev/null || echo -);" \
     "nproc $(nproc); $(lscpu | grep 'Model name' | sed 's/  */ /g'); load avg $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# reps $REPS, ${SECONDS_PER}s per measure and side, threads $THREADS"

REPS="$REPS" SECONDS_PER="$SECONDS_PER" THREADS="$THREADS" MODELS="$MODELS" /usr/bin/python3 - <<'EOF'
import json, os, statistics, subprocess, sys, time

reps, seconds = int(os.environ["REPS"]), os.environ["SECONDS_PER"]
threads = [int(t) for t in os.environ["THREADS"].split(",")]
models = os.environ["MODELS"].split(",")
recur = "build-bench/recur"
worker = subprocess.Popen(["/usr/bin/python3", "bench/pytorch_models.py", "--serve"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

def ask(line):
    worker.stdin.write(line + "\n")
    worker.stdin.flush()
    out = worker.stdout.readline()
    if not out:
        sys.exit("pytorch_models.py --serve died")
    return json.loads(out)

def run_recur(m, t):
    out = subprocess.run([recur, "bench", m, "--threads", str(t), "--seconds", seconds,
                          "--warmup", "0.2"], check=True, capture_output=True, text=True).stdout
    r = json.loads(out)
    r["side"] = "recur"
    return r

def run_torch(m, t):
    r = ask(f"{m} {t} {seconds}")
    r["side"] = "pytorch"
    return r

MEASURES = [("train_windows_per_s", "train win/s", True), ("infer_windows_per_s", "infer win/s", True),
            ("latency_us", "latency us", False), ("stream_step_us", "stream us", False)]
t0 = time.time()
raw = open("build-bench/compare_models.jsonl", "w")
sgemm = {t: [] for t in threads}

def measure_sgemm():
    for t in threads:
        r = ask(f"sgemm {t} 1.0")
        raw.write(json.dumps(r) + "\n")
        sgemm[t].append(r["gflops"])

measure_sgemm()
results = {}  # (side, model, threads) -> list of dicts
for m in models:
    for t in threads:
        for rep in range(reps):
            sides = [run_recur, run_torch] if rep % 2 == 0 else [run_torch, run_recur]
            for fn in sides:
                r = fn(m, t)
                raw.write(json.dumps(r) + "\n")
                results.setdefault((r["side"], m, t), []).append(r)
    print(f"  {m} done ({time.time() - t0:.0f}s)", file=sys.stderr, flush=True)
measure_sgemm()
worker.stdin.close()
worker.wait()

def med(side, m, t, key):
    v = [r[key] for r in results.get((side, m, t), []) if r.get(key) is not None]
    return statistics.median(v) if v else None

def fmt(x):
    return "-" if x is None else (f"{x:,.0f}" if x >= 100 else f"{x:.2f}")

ceiling = {t: statistics.median(v) for t, v in sgemm.items()}
print("sgemm ceiling (torch.mm 2048^3, OpenBLAS), GFLOP/s: " +
      ", ".join(f"{t} thread{'s' if t > 1 else ''} {ceiling[t]:.1f}" for t in threads))
top = max(threads)
print(f"{'model':<8} {'measure':<12} {'threads':>8} {'recur':>11} {'PyTorch':>11} {'ratio':>8}")
summary = []
for m in models:
    for key, label, higher_better in MEASURES:
        if med("recur", m, threads[0], key) is None:
            continue
        rows = [(str(t), med("recur", m, t, key), med("pytorch", m, t, key)) for t in threads]
        pick = max if higher_better else min
        best = lambda side: pick(((med(side, m, t, key), t) for t in threads
                                  if med(side, m, t, key) is not None), key=lambda x: x[0])
        (rb, rt), (pb, pt) = best("recur"), best("pytorch")
        rows.append((f"best {rt}/{pt}", rb, pb))
        for lab, r, p in rows:
            ratio = (r / p if higher_better else p / r) if r and p else None
            print(f"{m:<8} {label:<12} {lab:>8} {fmt(r):>11} {fmt(p):>11} "
                  f"{'-' if ratio is None else f'{ratio:.1f}x':>8}")
        summary.append((m, label, (rb / pb if higher_better else pb / rb)))
    g = max(med("recur", m, t, "train_gflops") for t in threads)
    print(f"{m:<8} {'train GFLOP/s':<12} {'best':>8} {g:>11.1f} {'':>11} "
          f"{100 * g / ceiling[top]:>6.0f}%  of the {top}-thread sgemm ceiling")
print()
print("ratios, each side at its best thread count (higher = recur faster):")
for m, label, ratio in summary:
    print(f"  {m:<8} {label:<12} {ratio:8.1f}x")
print()
# The spread behind each training median: this VM's 2-thread rates come in a fast and a slow
# mode (two threads barely faster than one), and a median of 5 can land in either.
print("training windows/s per repetition, lowest-highest:")
for m in models:
    cells = []
    for side in ("recur", "pytorch"):
        for t in threads:
            v = [r["train_windows_per_s"] for r in results.get((side, m, t), [])]
            if v:
                cells.append(f"{side} {t}t {fmt(min(v))}-{fmt(max(v))}")
    print(f"  {m:<9} " + "  ".join(cells))
print(f"# wall time {time.time() - t0:.0f}s")
EOF
