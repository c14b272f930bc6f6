#!/usr/bin/python3
"""PyTorch (CPU, float32) reference timings for the cases of bench/bench_rnn.cpp.

Run with Debian's interpreter and python3-torch:
    /usr/bin/python3 bench/pytorch_rnn.py [--threads 1,2] [--seconds 1] [--reps 5] [--filter RE]
    /usr/bin/python3 bench/pytorch_rnn.py --list
    /usr/bin/python3 bench/pytorch_rnn.py --serve     # used by bench/compare.sh

Each result is one JSON line: case, threads, windows_per_s and us_per_iter (the median over
--reps repetitions of a --seconds time budget each), gflops (same nominal count as the C++ side:
forward F = 2 (I + U) G U T B, train = 3 F) and impl (the PyTorch module that ran).

Cases (names shared with bench_rnn.cpp):
  train/<cell>/<size>       nn.LSTM / nn.GRU on time-major x (T, B, I) with requires_grad,
                            out.sum().backward()  (recur: forward + backward with dy = 1, dx computed)
  infer/<cell>/<size>/b<B>  forward under torch.no_grad() at B = 1024 and 1 (sp500, t24u12 sizes)
  step/sp500_model          nn.LSTM(1, 20) + nn.Linear(20, 1) on the last step, MSE, RMSprop(lr=1e-3,
                            alpha=0.9, eps=1e-7): zero_grad, forward, backward, step; batch 20
  gru_before (Keras reset_after=False) has no PyTorch module: those cases run nn.GRU (the
  reset_after=True form, the same GEMM work) and say so in "impl".

--serve reads lines "CASE THREADS SECONDS" on stdin and answers each with one JSON line of a
single repetition, so a driver can interleave PyTorch and recur slices without paying torch's
import time per slice.

OMP_WAIT_POLICY defaults to PASSIVE here (see main); set it in the environment to override.
"""

import argparse
import ctypes
import json
import os
import re
import statistics
import sys
import time

SIZES = {  # name: (T, B, I, U)
    "sp500": (63, 20, 1, 20),
    "t24u12": (24, 20, 2, 12),
    "imdb": (100, 32, 100, 32),
    "large": (100, 128, 64, 256),
}
CELLS = {"lstm": 4, "gru": 3, "gru_before": 3}  # gates per unit
INFER_SIZES = ["sp500", "t24u12"]
INFER_BATCHES = [1024, 1]


def case_names():
    names = [f"train/{c}/{s}" for c in CELLS for s in SIZES]
    names += [f"infer/{c}/{s}/b{b}" for c in CELLS for s in INFER_SIZES for b in INFER_BATCHES]
    names.append("step/sp500_model")
    return names


_openblas = None


def set_threads(torch, n):
    """torch.set_num_threads covers ATen's OpenMP pool; OpenBLAS (pthread build) keeps its own
    pool, so set that too through the already loaded library."""
    global _openblas
    torch.set_num_threads(n)
    if _openblas is None:
        _openblas = False
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                if "openblas" in path.rsplit("/", 1)[-1]:
                    try:
                        lib = ctypes.CDLL(path)
                        lib.openblas_set_num_threads  # noqa: B018  (raises if missing)
                        _openblas = lib
                        break
                    except (OSError, AttributeError):
                        pass
    if _openblas:
        _openblas.openblas_set_num_threads(ctypes.c_int(n))


def forward_flops(cell, size, batch):
    t, _, i, u = SIZES[size]
    return 2.0 * (i + u) * CELLS[cell] * u * t * batch


def build_case(torch, name):
    """Returns (fn, windows per call, nominal flops per call, impl description)."""
    nn = torch.nn
    torch.manual_seed(1234)
    parts = name.split("/")
    if parts[0] == "step":
        t, b, i, u = SIZES["sp500"]
        lstm, lin = nn.LSTM(i, u), nn.Linear(u, 1)
        params = list(lstm.parameters()) + list(lin.parameters())
        opt = torch.optim.RMSprop(params, lr=1e-3, alpha=0.9, eps=1e-7)
        loss_fn = nn.MSELoss()
        xs = torch.rand(b, t, i) * 2 - 1  # samples-first, as recur's train_on_batch takes it
        y = torch.rand(b, 1) * 2 - 1

        def step():
            opt.zero_grad()
            out, _ = lstm(xs.transpose(0, 1))
            loss = loss_fn(lin(out[-1]), y)
            loss.backward()
            opt.step()

        return step, b, 3 * forward_flops("lstm", "sp500", b), "nn.LSTM+nn.Linear, RMSprop"

    kind, cell, size = parts[0], parts[1], parts[2]
    t, b, i, u = SIZES[size]
    if kind == "infer":
        b = int(parts[3][1:])
    mod = nn.LSTM(i, u) if cell == "lstm" else nn.GRU(i, u)
    impl = "nn.LSTM" if cell == "lstm" else "nn.GRU"
    if cell == "gru_before":
        impl += " (reset_after form; PyTorch has no reset_after=False)"
    x = torch.rand(t, b, i) * 2 - 1
    if kind == "train":
        x.requires_grad_(True)

        def train():
            out, _ = mod(x)
            out.sum().backward()

        return train, b, 3 * forward_flops(cell, size, b), impl

    def infer():
        with torch.no_grad():
            mod(x)

    return infer, b, forward_flops(cell, size, b), impl


def time_once(fn, seconds):
    """Seconds per call: as many calls as fit in `seconds` (at least one)."""
    n = 0
    t0 = time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds:
            return elapsed / n


def result(name, threads, per_call, windows, flops, impl, reps):
    return {
        "case": name,
        "threads": threads,
        "windows_per_s": windows / per_call,
        "us_per_iter": per_call * 1e6,
        "gflops": flops / per_call * 1e-9,
        "reps": reps,
        "impl": impl,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    ap.add_argument("--seconds", type=float, default=1.0, help="time budget per repetition")
    ap.add_argument("--reps", type=int, default=5, help="repetitions (the median is reported)")
    ap.add_argument("--filter", default="", help="regex on case names")
    ap.add_argument("--list", action="store_true", help="print the case names and exit")
    ap.add_argument("--serve", action="store_true", help="answer 'CASE THREADS SECONDS' lines")
    args = ap.parse_args()

    if args.list:
        print("\n".join(case_names()))
        return

    # GOMP's default spin-waiting makes torch.set_num_threads(2) 3-50x *slower* on this 2-vCPU,
    # shared machine (the spinning workers steal the cores doing the work); recur's pool sleeps
    # on a condition variable, so passive waiting is also the like-for-like setting.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch

    cache = {}  # name -> (fn, windows, flops, impl)
    warm = set()  # (name, threads) already run once

    def get(name, threads):
        if name not in cache:
            if name not in case_names():
                raise SystemExit(f"unknown case {name!r}")
            cache[name] = build_case(torch, name)
        set_threads(torch, threads)
        if (name, threads) not in warm:  # first call: allocator, thread pools, caches
            cache[name][0]()
            warm.add((name, threads))
        return cache[name]

    if args.serve:
        for line in sys.stdin:
            if not line.strip():
                continue
            name, threads, seconds = line.split()
            fn, windows, flops, impl = get(name, int(threads))
            per_call = time_once(fn, float(seconds))
            print(json.dumps(result(name, int(threads), per_call, windows, flops, impl, 1)),
                  flush=True)
        return

    pattern = re.compile(args.filter)
    for name in case_names():
        if not pattern.search(name):
            continue
        for threads in (int(t) for t in args.threads.split(",")):
            fn, windows, flops, impl = get(name, threads)
            times = [time_once(fn, args.seconds) for _ in range(args.reps)]
            print(json.dumps(result(name, threads, statistics.median(times), windows, flops, impl,
                                    args.reps)), flush=True)


if __name__ == "__main__":
    main()
