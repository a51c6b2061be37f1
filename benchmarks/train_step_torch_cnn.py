#!/usr/bin/python3
"""PyTorch's training step on the CNN of bench_train_cnn.cc (simdnn's --preset cnn): 32×32×3 →
2×[Conv 32 3×3 pad 1 no bias, BN, ReLU] → MaxPool 2 → 2×[Conv 64] → MaxPool 2 → [Conv 128] →
global average pool → Linear 10, Adam, cross-entropy; channels_last (NHWC), PyTorch's faster
CPU layout for convolutions, at batch 32 and 128 on 1 and 2 threads.
Run with Debian's python3-torch: /usr/bin/python3 benchmarks/train_step_torch_cnn.py
Prints one JSON object per case: {"name": "train_step/torch/cnn/batch:B/threads:T",
"samples_per_second": ..., "samples_per_cpu_second": ...}; the best of --repeats windows of
--seconds in all. On a busy host the process's CPU time is the steadier figure at one thread (it
is what Google Benchmark's CPU column gives for simdnn)."""
import argparse
import json
import time

import torch
from torch import nn


def block(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False),
            nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01), nn.ReLU()]


def build():
    layers = block(3, 32) + block(32, 32) + [nn.MaxPool2d(2)]
    layers += block(32, 64) + block(64, 64) + [nn.MaxPool2d(2)]
    layers += block(64, 128) + [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10)]
    return nn.Sequential(*layers)


def run(batch, threads, seconds, repeats, channels_last):
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    model = build().to(memory_format=fmt)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    rows = 512
    x = (torch.rand(rows, 3, 32, 32) * 2 - 1).contiguous(memory_format=fmt)
    y = torch.arange(rows) * 7 % 10

    def step(off):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[off:off + batch]), y[off:off + batch])
        loss.backward()
        opt.step()

    for i in range(5):
        step((i * batch) % (rows - batch))
    best = best_cpu = 0.0
    for _ in range(repeats):
        n, off = 0, 0
        t0, c0 = time.perf_counter(), time.process_time()
        while True:
            step(off)
            off = off + batch if off + 2 * batch <= rows else 0
            n += 1
            dt = time.perf_counter() - t0
            if dt >= seconds / repeats:
                break
        best = max(best, n * batch / dt)
        best_cpu = max(best_cpu, n * batch / (time.process_time() - c0))
    return best, best_cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--nchw", action="store_true", help="contiguous NCHW instead of channels_last")
    args = ap.parse_args()
    for batch in (32, 128):
        for threads in (int(t) for t in args.threads.split(",")):
            sps, cpu = run(batch, threads, args.seconds, args.repeats, not args.nchw)
            print(json.dumps({"name": f"train_step/torch/cnn/batch:{batch}/threads:{threads}",
                              "samples_per_second": sps, "samples_per_cpu_second": cpu,
                              "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
