#!/usr/bin/python3
"""PyTorch (CPU, float32) side of `recur bench`: the book's four models and one large LSTM.

Run with Debian's interpreter and python3-torch (plus libopenblas0-pthread, see README.md):
    /usr/bin/python3 bench/pytorch_models.py sp500 [--threads 1] [--seconds 1]
    /usr/bin/python3 bench/pytorch_models.py --serve      # used by bench/compare_models.sh
    /usr/bin/python3 bench/pytorch_models.py --sgemm      # the machine's sgemm ceiling (OpenBLAS)

Prints one JSON object per model with the keys of `recur bench`: train_windows_per_s,
infer_windows_per_s (batch 1,024), latency_us (batch 1), stream_step_us (sp500), train_gflops.

The models, as an experienced PyTorch user writes them (time-major tensors, the fused nn.LSTM /
nn.GRU modules, BCEWithLogitsLoss instead of a separate sigmoid):
  sp500   nn.LSTM(1, 20) -> nn.Linear(20, 1) on the last step; MSE; RMSprop; batch 20
  macro   Dropout(.2) -> nn.LSTM(2, 12) -> Dropout(.2) -> nn.LSTM(12, 6) -> Linear(6, 10) ->
          Linear(10, 2); L1 (MAE); RMSprop; batch 20
  stocks  returns: Dropout(.2) -> nn.LSTM(1, 25) -> Dropout(.2) -> nn.LSTM(25, 10), last step;
          ticker: nn.Embedding(2489, 10); concat with the month one-hot (12) -> Linear(32, 10) ->
          Linear(10, 1); BCEWithLogits; RMSprop; batch 32
  imdb    nn.Embedding(20000, 100) -> Dropout(.2) -> nn.GRU(100, 32) -> Linear(32, 1);
          BCEWithLogits; RMSprop; batch 32; ids uniform over the vocabulary
  imdb-zipf  the same with ids from Zipf's law, P(id) ∝ 1 / (id + 1), as word ranks in text
  large   nn.LSTM(64, 256) -> Linear(256, 1); MSE; Adam; batch 128
Differences from recur's models (all make PyTorch's work smaller, none larger): nn.LSTM / nn.GRU
have no recurrent dropout (macro and imdb in recur mask h_{t-1} too) and no hard_sigmoid (the
book's Keras 2.2 gates; PyTorch uses sigmoid); its input dropout is per element and step, not
one mask per sequence. torch.optim.RMSprop cannot take sparse gradients, so the IMDB embedding
is dense (recur updates only the batch's rows, exactly as dense RMSprop would).

Measures (after one untimed call, then --seconds of calls): train = zero_grad, forward, loss,
backward, step on 8 prepared batches in turn; infer = forward under torch.no_grad() in eval mode
on 1,024 windows; latency = the same on one window; stream (sp500) = one step of nn.LSTM on a
(1, 1, 1) input with (h, c) carried, then the Linear, under no_grad.

--serve reads lines "MODEL THREADS SECONDS" and answers each with the JSON object, so a driver
can interleave PyTorch and recur without paying torch's import per slice.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_rnn import set_threads, time_once  # noqa: E402  (thread counts, timing loop)

MODELS = ["sp500", "macro", "stocks", "imdb", "imdb-zipf", "large"]
BATCH = {"sp500": 20, "macro": 20, "stocks": 32, "imdb": 32, "imdb-zipf": 32, "large": 128}
INFER_BATCH = 1024
N_BATCHES = 8


def recurrent_flops(i, u, gates, steps):
    return 2.0 * (i + u) * gates * u * steps


def train_flops_per_window(name):
    """The nominal count of recur's model_bench.cpp: recurrent 2 (I+U) G U T, Dense 2 in out,
    times 3 for forward + backward."""
    f = {
        "sp500": recurrent_flops(1, 20, 4, 63) + 2 * 20,
        "macro": recurrent_flops(2, 12, 4, 24) + recurrent_flops(12, 6, 4, 24) + 2 * (60 + 20),
        "stocks": recurrent_flops(1, 25, 4, 52) + recurrent_flops(25, 10, 4, 52)
        + 2 * (32 * 10 + 10),
        "imdb": recurrent_flops(100, 32, 3, 100) + 2 * 32,
        "imdb-zipf": recurrent_flops(100, 32, 3, 100) + 2 * 32,
        "large": recurrent_flops(64, 256, 4, 100) + 2 * 256,
    }[name]
    return 3.0 * f


def build(torch, name):
    """Returns (module, loss_fn, optimizer, make_batch(n) -> (inputs tuple, target))."""
    nn = torch.nn
    torch.manual_seed(1234)

    class Sp500(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm, self.out = nn.LSTM(1, 20), nn.Linear(20, 1)

        def forward(self, x):
            h, _ = self.lstm(x)
            return self.out(h[-1])

    class Macro(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(0.2)
            self.l1, self.l2 = nn.LSTM(2, 12), nn.LSTM(12, 6)
            self.d1, self.d2 = nn.Linear(6, 10), nn.Linear(10, 2)

        def forward(self, x):
            h, _ = self.l1(self.drop(x))
            h, _ = self.l2(self.drop(h))
            return self.d2(self.d1(h[-1]))

    class Stocks(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(0.2)
            self.l1, self.l2 = nn.LSTM(1, 25), nn.LSTM(25, 10)
            self.emb = nn.Embedding(2489, 10)
            self.d1, self.d2 = nn.Linear(32, 10), nn.Linear(10, 1)

        def forward(self, returns, ticker, month):
            h, _ = self.l1(self.drop(returns))
            h, _ = self.l2(self.drop(h))
            z = torch.cat([h[-1], self.emb(ticker), month], dim=1)
            return self.d2(self.d1(z))

    class Imdb(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(20000, 100)
            self.drop = nn.Dropout(0.2)
            self.gru, self.out = nn.GRU(100, 32), nn.Linear(32, 1)

        def forward(self, ids):
            h, _ = self.gru(self.drop(self.emb(ids)))
            return self.out(h[-1])

    class Large(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm, self.out = nn.LSTM(64, 256), nn.Linear(256, 1)

        def forward(self, x):
            h, _ = self.lstm(x)
            return self.out(h[-1])

    def uniform(*shape):
        return torch.rand(*shape) * 2 - 1

    if name == "sp500":
        m, loss = Sp500(), nn.MSELoss()
        batch = lambda n: ((uniform(63, n, 1),), uniform(n, 1))  # noqa: E731
    elif name == "macro":
        m, loss = Macro(), nn.L1Loss()
        batch = lambda n: ((uniform(24, n, 2),), uniform(n, 2))  # noqa: E731
    elif name == "stocks":
        m, loss = Stocks(), nn.BCEWithLogitsLoss()

        def batch(n):
            month = torch.zeros(n, 12)
            month[torch.arange(n), torch.randint(0, 12, (n,))] = 1
            return (uniform(52, n, 1), torch.randint(0, 2489, (n,)), month), \
                torch.randint(0, 2, (n, 1)).float()
    elif name == "imdb":
        m, loss = Imdb(), nn.BCEWithLogitsLoss()
        batch = lambda n: ((torch.randint(0, 20000, (100, n)),),  # noqa: E731
                           torch.randint(0, 2, (n, 1)).float())
    elif name == "imdb-zipf":  # ids from Zipf's law, P(id) ∝ 1 / (id + 1), as recur's
        m, loss = Imdb(), nn.BCEWithLogitsLoss()
        zipf = 1.0 / torch.arange(1, 20001, dtype=torch.float64)
        batch = lambda n: ((torch.multinomial(zipf, 100 * n, replacement=True).view(100, n),),  # noqa: E731,E501
                           torch.randint(0, 2, (n, 1)).float())
    elif name == "large":
        m, loss = Large(), nn.MSELoss()
        batch = lambda n: ((uniform(100, n, 64),), uniform(n, 1))  # noqa: E731
    else:
        raise SystemExit(f"unknown model {name!r} (known: {', '.join(MODELS)})")
    if name == "large":
        opt = torch.optim.Adam(m.parameters(), lr=1e-3, eps=1e-7)
    else:
        opt = torch.optim.RMSprop(m.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    return m, loss, opt, batch


def time_per_call(fn, seconds):
    fn()  # untimed: allocator, thread pools
    return time_once(fn, seconds)


def run(torch, name, threads, seconds):
    set_threads(torch, threads)
    m, loss_fn, opt, make_batch = build(torch, name)
    b = BATCH[name]
    batches = [make_batch(b) for _ in range(N_BATCHES)]
    state = {"k": 0}

    def train_step():
        inputs, y = batches[state["k"]]
        state["k"] = (state["k"] + 1) % N_BATCHES
        opt.zero_grad()
        loss = loss_fn(m(*inputs), y)
        loss.backward()
        opt.step()

    m.train()
    train_s = time_per_call(train_step, seconds)
    m.eval()
    big, _ = make_batch(INFER_BATCH)
    one, _ = make_batch(1)

    def infer(inputs):
        with torch.no_grad():
            m(*inputs)

    infer_s = time_per_call(lambda: infer(big), seconds)
    latency_s = time_per_call(lambda: infer(one), seconds)
    out = {
        "model": name,
        "threads": threads,
        "batch": b,
        "infer_batch": INFER_BATCH,
        "params": sum(p.numel() for p in m.parameters()),
        "train_windows_per_s": b / train_s,
        "infer_windows_per_s": INFER_BATCH / infer_s,
        "latency_us": latency_s * 1e6,
        "train_gflops": train_flops_per_window(name) * b / train_s * 1e-9,
        "stream_step_us": None,
        "impl": f"torch {torch.__version__}",
    }
    if name == "sp500":
        x = torch.rand(1, 1, 1)
        hc = [(torch.zeros(1, 1, 20), torch.zeros(1, 1, 20))]

        def stream():
            with torch.no_grad():
                h, hc[0] = m.lstm(x, hc[0])
                m.out(h[-1])

        out["stream_step_us"] = time_per_call(stream, seconds) * 1e6
    return out


def sgemm(torch, threads, seconds, n=2048):
    """GFLOP/s of one n x n x n float matrix product (torch.mm -> OpenBLAS)."""
    set_threads(torch, threads)
    a, b = torch.rand(n, n), torch.rand(n, n)
    per = time_per_call(lambda: torch.mm(a, b), seconds)
    return {"sgemm": True, "threads": threads, "n": n, "gflops": 2.0 * n ** 3 / per * 1e-9}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("model", nargs="?", help=" | ".join(MODELS))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--serve", action="store_true", help="answer 'MODEL THREADS SECONDS' lines")
    ap.add_argument("--sgemm", action="store_true", help="measure the sgemm ceiling and exit")
    args = ap.parse_args()
    # GOMP's spin-waiting makes 2 threads far slower on this shared 2-vCPU machine; see
    # pytorch_rnn.py (recur's pool sleeps after a short spin, so passive is like-for-like).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch

    if args.sgemm:
        print(json.dumps(sgemm(torch, args.threads, args.seconds)), flush=True)
        return
    if args.serve:
        for line in sys.stdin:
            if not line.strip():
                continue
            name, threads, seconds = line.split()
            if name == "sgemm":
                print(json.dumps(sgemm(torch, int(threads), float(seconds))), flush=True)
            else:
                print(json.dumps(run(torch, name, int(threads), float(seconds))), flush=True)
        return
    if not args.model:
        ap.error("give a model or --serve / --sgemm")
    print(json.dumps(run(torch, args.model, args.threads, args.seconds)), flush=True)


if __name__ == "__main__":
    main()
