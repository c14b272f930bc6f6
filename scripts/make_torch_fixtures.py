#!/usr/bin/python3
"""Writes the PyTorch reference fixtures for tests/torch_parity_test.cpp.

Run with Debian's python (the one that has torch):  /usr/bin/python3 scripts/make_torch_fixtures.py

Everything is deterministic (no RNG): weights, inputs, initial states and the loss weights are
sinusoid ramps  v[i] = scale * sin(freq * i + phase)  over the flattened tensor, with a distinct
phase per tensor, so no two tensors share values and nothing is degenerate (no zeros, no
symmetry between gates). Torch computes in float64, so the fixtures are exact references.

Each fixture tests/fixtures/torch_<case>.json holds

  case, description, config           sizes and options of the case
  layout                              how the flattened arrays are laid out (see LAYOUT)
  inputs   {name: tensor}             x (time-major (T, B, I); ids (T, B) for embedding), h0, c0
  params   {name: tensor}             PyTorch parameters under their PyTorch names
  loss     {name: tensor}             R (shape of the output), Rh (shape of h_n), Rc (of c_n)
  outputs  {name: tensor}             output, h_n, c_n
  grads    {name: tensor}             dL/d(every param, x, h0, c0) under the same names
  where a tensor is {"shape": [...], "data": [row-major flattened values]} and the loss is

      L = sum(output * R) + sum(h_n * Rh) + sum(c_n * Rc)      (the terms that exist).

Recurrent layers use PyTorch's default time-major input (seq_len, batch, features), the same as
recur's batch layout, so x, output, dL/dx need no transposition. h0 / h_n / c0 / c_n have
PyTorch's shape (num_layers, B, H) even for one layer.
"""

import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)

LAYOUT = ("row-major flattening of each tensor's 'shape'; sequences time-major (T, B, F) as "
          "PyTorch's batch_first=False and recur's batch tensors; ids (T, B); states "
          "(num_layers, B, H); parameters in PyTorch's own layout (weight_ih_l0 (G*H, I) with "
          "gate row blocks in PyTorch order: RNN [h], LSTM [i f g o], GRU [r z n]; "
          "Linear weight (out, in); Embedding weight (num_embeddings, dim))")

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures")

_phase = [0.0]


def ramp(shape, scale, freq=0.7):
    """scale * sin(freq * i + phase), a fresh phase per call (deterministic)."""
    _phase[0] += 1.0
    n = math.prod(shape)
    i = torch.arange(n, dtype=torch.float64)
    return (scale * torch.sin(freq * i + _phase[0])).reshape(shape)


def t2j(t):
    t = t.detach().to(torch.float64).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def fill_params(module, scale=0.4):
    with torch.no_grad():
        for _, p in module.named_parameters():
            p.copy_(ramp(tuple(p.shape), scale))


def write(case, description, config, inputs, params, loss, outputs, grads):
    doc = {
        "case": case,
        "description": description,
        "generator": "scripts/make_torch_fixtures.py (torch " + torch.__version__ + ", float64)",
        "layout": LAYOUT,
        "config": config,
        "inputs": {k: t2j(v) for k, v in inputs.items()},
        "params": {k: t2j(v) for k, v in params.items()},
        "loss": {k: t2j(v) for k, v in loss.items()},
        "outputs": {k: t2j(v) for k, v in outputs.items()},
        "grads": {k: t2j(v) for k, v in grads.items()},
    }
    path = os.path.join(OUT_DIR, "torch_" + case + ".json")
    with open(path, "w") as f:
        # json's float repr is the shortest round-trip form (<= 17 significant digits): exact.
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"{path}: {os.path.getsize(path)} bytes")


def recurrent_case(case, cls, description, T=5, B=3, I=4, H=6, num_layers=1, last_only=False,
                   reverse=False, **kwargs):
    """nn.RNN / nn.LSTM / nn.GRU.

    last_only: the loss reads only output[T-1] (R has shape (B, H)); recur's layer then runs
               with return_sequences=false.
    reverse:   the module runs on x flipped in time and its outputs are kept in processing order:
               what recur's go_backwards=true computes. dL/dx is w.r.t. the unflipped x.
    """
    module = cls(I, H, num_layers=num_layers, **kwargs)
    fill_params(module)
    is_lstm = cls is torch.nn.LSTM
    x = ramp((T, B, I), 1.0, 0.37).requires_grad_()
    h0 = ramp((num_layers, B, H), 0.5, 0.53).requires_grad_()
    c0 = ramp((num_layers, B, H), 0.5, 0.61).requires_grad_() if is_lstm else None
    xin = x.flip(0) if reverse else x
    if is_lstm:
        out, (h_n, c_n) = module(xin, (h0, c0))
    else:
        out, h_n = module(xin, h0)
        c_n = None
    y = out[-1] if last_only else out
    R = ramp(tuple(y.shape), 1.0, 0.43)
    Rh = ramp(tuple(h_n.shape), 1.0, 0.47)
    loss = (y * R).sum() + (h_n * Rh).sum()
    loss_t = {"R": R, "Rh": Rh}
    if is_lstm:
        Rc = ramp(tuple(c_n.shape), 1.0, 0.51)
        loss = loss + (c_n * Rc).sum()
        loss_t["Rc"] = Rc
    names = [n for n, _ in module.named_parameters()]
    leaves = [x, h0] + ([c0] if is_lstm else []) + [p for _, p in module.named_parameters()]
    g = torch.autograd.grad(loss, leaves)
    grads = {"x": g[0], "h0": g[1]}
    if is_lstm:
        grads["c0"] = g[2]
    grads.update(zip(names, g[len(g) - len(names):]))
    inputs = {"x": x, "h0": h0}
    outputs = {"output": y, "h_n": h_n}
    if is_lstm:
        inputs["c0"] = c0
        outputs["c_n"] = c_n
    config = {"module": cls.__name__, "T": T, "B": B, "I": I, "H": H, "num_layers": num_layers,
              "return_sequences": not last_only, "go_backwards": reverse}
    config.update(kwargs)
    write(case, description, config, inputs, dict(module.named_parameters()), loss_t, outputs,
          grads)


def bidirectional_case(case, cls, description, seq, T=5, B=3, I=4, H=6):
    """nn.LSTM / nn.GRU with bidirectional=True and zero initial states (recur's Bidirectional).

    seq:  the loss reads the whole output (T, B, 2H), forward and backward halves aligned by
          input step; else it reads cat(h_n[0], h_n[1]) (B, 2H), what recur's Bidirectional
          returns with return_sequences=false.
    """
    module = cls(I, H, bidirectional=True)
    fill_params(module)
    x = ramp((T, B, I), 1.0, 0.37).requires_grad_()
    out, h_n = module(x)
    if cls is torch.nn.LSTM:
        h_n = h_n[0]
    y = out if seq else torch.cat([h_n[0], h_n[1]], dim=1)
    R = ramp(tuple(y.shape), 1.0, 0.43)
    loss = (y * R).sum()
    names = [n for n, _ in module.named_parameters()]
    g = torch.autograd.grad(loss, [x] + [p for _, p in module.named_parameters()])
    grads = {"x": g[0]}
    grads.update(zip(names, g[1:]))
    config = {"module": cls.__name__, "T": T, "B": B, "I": I, "H": H, "num_layers": 1,
              "return_sequences": seq, "bidirectional": True}
    write(case, description, config, {"x": x}, dict(module.named_parameters()), {"R": R},
          {"output": y}, grads)


def dense_case(case, activation, description, shape=(3, 5), out=4):
    """nn.Linear (+ optional activation) on x of `shape` (last axis = in features)."""
    lin = torch.nn.Linear(shape[-1], out)
    fill_params(lin, 0.5)
    x = ramp(shape, 1.0, 0.37).requires_grad_()
    y = lin(x)
    if activation == "sigmoid":
        y = torch.sigmoid(y)
    elif activation == "tanh":
        y = torch.tanh(y)
    R = ramp(tuple(y.shape), 1.0, 0.43)
    loss = (y * R).sum()
    gx, gw, gb = torch.autograd.grad(loss, [x, lin.weight, lin.bias])
    config = {"module": "Linear", "in_features": shape[-1], "out_features": out,
              "input_shape": list(shape), "activation": activation}
    write(case, description, config, {"x": x}, {"weight": lin.weight, "bias": lin.bias},
          {"R": R}, {"output": y}, {"x": gx, "weight": gw, "bias": gb})


def embedding_case(case, description, T=5, B=3, V=7, E=4):
    emb = torch.nn.Embedding(V, E)
    fill_params(emb, 0.5)
    # Deterministic ids with repeats: (5k + 3) mod 7 over T*B = 15 positions hits every id twice
    # and id 3 three times, so the weight gradient must sum several rows.
    ids = torch.tensor([(5 * k + 3) % V for k in range(T * B)], dtype=torch.long).reshape(T, B)
    y = emb(ids)
    R = ramp(tuple(y.shape), 1.0, 0.43)
    loss = (y * R).sum()
    (gw,) = torch.autograd.grad(loss, [emb.weight])
    config = {"module": "Embedding", "T": T, "B": B, "num_embeddings": V, "embedding_dim": E}
    write(case, description, config, {"ids": ids.to(torch.float64)}, {"weight": emb.weight},
          {"R": R}, {"output": y}, {"weight": gw})


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    recurrent_case("simple_rnn", torch.nn.RNN, "nn.RNN (tanh), one layer, full sequence output",
                   nonlinearity="tanh")
    recurrent_case("lstm", torch.nn.LSTM, "nn.LSTM, one layer, full sequence output")
    recurrent_case("gru", torch.nn.GRU,
                   "nn.GRU, one layer (recur GRU with reset_after=true), full sequence output")
    recurrent_case("lstm2", torch.nn.LSTM,
                   "nn.LSTM num_layers=2 (recur: two stacked LSTM layers, both "
                   "return_sequences=true); h_n, c_n per layer", num_layers=2)
    recurrent_case("lstm_last", torch.nn.LSTM,
                   "nn.LSTM, loss on output[-1] only (recur return_sequences=false)",
                   last_only=True)
    recurrent_case("gru_last", torch.nn.GRU,
                   "nn.GRU, loss on output[-1] only (recur return_sequences=false)",
                   last_only=True)
    recurrent_case("gru_backwards", torch.nn.GRU,
                   "nn.GRU on x.flip(0), outputs in processing order (recur go_backwards=true)",
                   reverse=True)
    recurrent_case("lstm_backwards", torch.nn.LSTM,
                   "nn.LSTM on x.flip(0), outputs in processing order (recur go_backwards=true)",
                   reverse=True)
    dense_case("dense", "linear", "nn.Linear on a (B, in) input")
    dense_case("dense_sigmoid", "sigmoid", "sigmoid(nn.Linear) on a (B, in) input")
    dense_case("dense_tanh", "tanh", "tanh(nn.Linear) on a (B, in) input")
    dense_case("dense_seq", "tanh", "tanh(nn.Linear) step-wise on a (T, B, in) sequence",
               shape=(4, 3, 5))
    embedding_case("embedding", "nn.Embedding on (T, B) ids with repeats")
    bidirectional_case("lstm_bidirectional", torch.nn.LSTM,
                       "nn.LSTM bidirectional=True, full output (recur Bidirectional(LSTM), "
                       "return_sequences=true, merge concat)", seq=True)
    bidirectional_case("gru_bidirectional_last", torch.nn.GRU,
                       "nn.GRU bidirectional=True, loss on cat(h_n[0], h_n[1]) (recur "
                       "Bidirectional(GRU reset_after=true), return_sequences=false)", seq=False)


if __name__ == "__main__":
    main()
