#!/usr/bin/python3
"""PyTorch's training step on the exercise network, the same shapes as bench_train.cc:
3072 → 20×100 ELU (He normal) → 10, NAdam(lr 1e-3, eps 1e-7), cross-entropy, batch 32 and 128,
1 and 2 threads. Run with Debian's python3-torch: /usr/bin/python3 benchmarks/train_step_torch.py
Prints one JSON object per case: {"name": "train_step/torch/batch:B/threads:T[/variant]",
"samples_per_second": ...}. Each case runs --seconds (default 2) after a warm-up; the best of
--repeats (default 3) timing windows is reported (the machine is shared and noisy)."""
import argparse
import json
import time

import torch
from torch import nn


def build(variant):
    layers = [nn.Flatten()]
    if variant == "batchnorm":  # the preset also normalizes the inputs (Géron's 8c)
        layers.append(nn.BatchNorm1d(3072, eps=1e-3, momentum=0.01))
    width = 3072
    selu = variant in ("selu", "alpha-dropout")
    for _ in range(20):
        lin = nn.Linear(width, 100)
        if selu:
            nn.init.kaiming_normal_(lin.weight, nonlinearity="linear")  # LeCun normal
        else:
            nn.init.kaiming_normal_(lin.weight)  # He normal
        nn.init.zeros_(lin.bias)
        layers.append(lin)
        if variant == "batchnorm":
            layers.append(nn.BatchNorm1d(100, eps=1e-3, momentum=0.01))
        layers.append(nn.SELU() if selu else nn.ELU())
        width = 100
    if variant == "alpha-dropout":
        layers.append(nn.AlphaDropout(0.1))
    layers.append(nn.Linear(width, 10))
    return nn.Sequential(*layers)


def run(variant, batch, threads, seconds, repeats):
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    model = build(variant)
    model.train()
    opt = torch.optim.NAdam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    rows = 1024
    x = torch.rand(rows, 3072) - 0.5
    y = torch.arange(rows) * 7 % 10

    def step(off):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[off:off + batch]), y[off:off + batch])
        loss.backward()
        opt.step()

    for i in range(20):
        step((i * batch) % (rows - batch))
    best = 0.0
    for _ in range(repeats):
        n, off = 0, 0
        t0 = time.perf_counter()
        while True:
            step(off)
            off = off + batch if off + 2 * batch <= rows else 0
            n += 1
            dt = time.perf_counter() - t0
            if dt >= seconds / repeats:
                break
        best = max(best, n * batch / dt)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--variants", default="elu-he")
    args = ap.parse_args()
    for variant in args.variants.split(","):
        for batch in (32, 128):
            for threads in (1, 2):
                sps = run(variant, batch, threads, args.seconds, args.repeats)
                suffix = "" if variant == "elu-he" else "/" + variant
                print(json.dumps({"name": f"train_step/torch/batch:{batch}/threads:{threads}{suffix}",
                                  "samples_per_second": sps, "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
