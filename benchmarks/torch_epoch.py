#!/usr/bin/python3
"""PyTorch's seconds per epoch on the four exercise models (build() of train_step_torch.py: elu-he,
batchnorm, selu, alpha-dropout), NAdam(preset lr, eps 1e-7), cross-entropy, on real CIFAR-10
standardized per pixel: 45000 training images, 5000 validation. An epoch is what simdnn's epoch time
covers: shuffle, train over the training images, evaluate on the validation images.
Run with Debian's python3-torch:
  /usr/bin/python3 benchmarks/torch_epoch.py [--data TARBALL|DIR] [--variants V,...] [--threads T]
      [--batch B] [--epochs N] [--limit N] [--markdown] [--report EXERCISE_OUT_DIR]
Prints one JSON object per variant: {"variant", "threads", "batch", "seconds_per_epoch",
"val_accuracy", "torch"}, or a Markdown table with --markdown. --limit N trains on the first N
images only and scales the training time up to 45000 (validation is always the full 5000).
--report DIR reads DIR/<run>/summary.json of `simdnn exercise` and prints simdnn next to PyTorch,
at the threads and batch size of each run."""
import argparse
import json
import os
import sys
import tarfile
import time
import zlib

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_step_torch import build  # noqa: E402

LR = {"elu-he": 5e-5, "batchnorm": 5e-4, "selu": 7e-4, "alpha-dropout": 5e-4}
RUNS = {"elu-he": "8b-elu-he", "batchnorm": "8c-batchnorm", "selu": "8d-selu",
        "alpha-dropout": "8e-alpha-dropout"}
N_TRAIN, N_VAL, RECORD = 45000, 5000, 1 + 3072
DEFAULT_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared",
                            "datasets", "cifar-10-binary.tar.gz")


def fail(msg):
    print(f"torch_epoch.py: {msg}", file=sys.stderr)
    sys.exit(2)


def read_batches(path):
    """The five data_batch_i.bin files, from the tarball or the unpacked folder, as bytes."""
    names = [f"data_batch_{i}.bin" for i in range(1, 6)]
    if os.path.isdir(path):
        for d in (path, os.path.join(path, "cifar-10-batches-bin")):
            if all(os.path.isfile(os.path.join(d, n)) for n in names):
                out = []
                for n in names:
                    with open(os.path.join(d, n), "rb") as f:
                        out.append(f.read())
                return out
        fail(f"{path}: no data_batch_1.bin..data_batch_5.bin in it (want cifar-10-batches-bin/)")
    if not os.path.isfile(path):
        fail(f"{path}: no such file or folder (give --data the CIFAR-10 binary tarball "
             "or its unpacked cifar-10-batches-bin/ folder)")
    try:
        found = {}
        with tarfile.open(path, "r|*") as tar:  # one pass over the stream
            for m in tar:
                if m.isfile() and os.path.basename(m.name) in names:
                    found[os.path.basename(m.name)] = tar.extractfile(m).read()
    except (tarfile.TarError, OSError, EOFError, zlib.error) as e:
        fail(f"{path}: cannot read the tarball: {e}")
    missing = [n for n in names if n not in found]
    if missing:
        fail(f"{path}: not the CIFAR-10 binary tarball ({missing[0]} missing)")
    return [found[n] for n in names]


def load(path, limit):
    raw = np.frombuffer(b"".join(read_batches(path)), dtype=np.uint8)
    if raw.size != 50000 * RECORD:
        fail(f"{path}: {raw.size} bytes of training records, expected {50000 * RECORD}")
    raw = raw.reshape(50000, RECORD)
    labels, pixels = raw[:, 0].astype(np.int64), raw[:, 1:]
    # Per-pixel mean and std of the 45000 training images, as simdnn computes them (on pixel/255,
    # in double, std floored at 1e-3).
    s = np.zeros(3072)
    sq = np.zeros(3072)
    for i in range(0, N_TRAIN, 5000):
        v = pixels[i:i + 5000].astype(np.float64) / 255.0
        s += v.sum(0)
        sq += (v * v).sum(0)
    mean = s / N_TRAIN
    std = np.maximum(np.sqrt(np.maximum(sq / N_TRAIN - mean * mean, 0)), 1e-3)
    scale, shift = (1 / (255 * std)).astype(np.float32), (-mean / std).astype(np.float32)

    def tensors(lo, hi):
        x = np.empty((hi - lo, 3072), dtype=np.float32)
        for i in range(lo, hi, 5000):
            j = min(i + 5000, hi)
            x[i - lo:j - lo] = pixels[i:j] * scale + shift
        return torch.from_numpy(x), torch.from_numpy(labels[lo:hi].copy())

    return tensors(0, limit), tensors(N_TRAIN, N_TRAIN + N_VAL)


def run(variant, data, threads, batch, epochs):
    """Mean seconds per epoch (training time scaled to 45000 images) and the last val accuracy."""
    (x, y), (xv, yv) = data
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    model = build(variant)
    if variant == "batchnorm":  # the batchnorm preset also normalizes the inputs (Géron's 8c)
        model = nn.Sequential(model[0], nn.BatchNorm1d(3072, eps=1e-3, momentum=0.01), *model[1:])
    opt = torch.optim.NAdam(model.parameters(), lr=LR[variant], eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    n = len(x)

    def step(idx):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()

    model.train()
    for i in range(10):  # warm-up
        step(torch.arange(i * batch, (i + 1) * batch) % n)
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        model.train()
        perm = torch.randperm(n)
        for i in range(0, n, batch):
            step(perm[i:i + batch])
        t1 = time.perf_counter()
        model.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(xv), 1000):
                out = model(xv[i:i + 1000])
                loss_fn(out, yv[i:i + 1000])
                correct += (out.argmax(1) == yv[i:i + 1000]).sum().item()
        t2 = time.perf_counter()
        times.append((t1 - t0) * N_TRAIN / n + (t2 - t1))
    return sum(times) / len(times), correct / len(xv)


def main():
    ap = argparse.ArgumentParser(description="PyTorch's seconds per epoch on the exercise models.")
    ap.add_argument("--data", default=DEFAULT_DATA,
                    help="cifar-10-binary.tar.gz or cifar-10-batches-bin/ (default: %(default)s)")
    ap.add_argument("--variants", default=",".join(LR))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--epochs", type=int, default=1, help="timed epochs; the mean is reported")
    ap.add_argument("--limit", type=int, help="train on the first N images, scale the time")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--report", metavar="DIR", help="a `simdnn exercise` output folder")
    args = ap.parse_args()
    variants = args.variants.split(",")
    for v in variants:
        if v not in LR:
            fail(f"unknown variant {v!r} (known: {', '.join(LR)})")
    if args.threads < 1 or args.batch < 1 or args.epochs < 1:
        fail("--threads, --batch and --epochs must be >= 1")
    limit = N_TRAIN if args.limit is None else args.limit
    if not 1 <= limit <= N_TRAIN:
        fail(f"--limit must be from 1 to {N_TRAIN}")

    # The cases: (label, variant, threads, batch, simdnn summary or None).
    cases = [(v, v, args.threads, args.batch, None) for v in variants]
    if args.report:
        if not os.path.isdir(args.report):
            fail(f"{args.report}: no such folder (want a `simdnn exercise` output folder)")
        cases = []
        for v in variants:
            path = os.path.join(args.report, RUNS[v], "summary.json")
            if not os.path.isfile(path):
                print(f"torch_epoch.py: {path}: not found, skipping {v}", file=sys.stderr)
                continue
            try:
                with open(path) as f:
                    summ = json.load(f)
                cases.append((RUNS[v], v, int(summ["threads"]), int(summ.get("batch_size", 32)),
                              summ))
            except (OSError, ValueError, KeyError) as e:
                fail(f"{path}: cannot read: {e}")
        if not cases:
            fail(f"{args.report}: no run folder with a summary.json ({', '.join(RUNS.values())})")

    data = load(args.data, limit)
    if limit < N_TRAIN:
        print(f"torch_epoch.py: trained on {limit} images, training time scaled to {N_TRAIN}",
              file=sys.stderr)
    rows = []
    for label, v, threads, batch, summ in cases:
        sec, acc = run(v, data, threads, batch, args.epochs)
        row = {"variant": v, "threads": threads, "batch": batch, "seconds_per_epoch": round(sec, 3),
               "val_accuracy": acc, "torch": torch.__version__}
        if limit < N_TRAIN:
            row["scaled_from"] = limit
        rows.append((label, row, summ))
        if not (args.markdown or args.report):
            print(json.dumps(row), flush=True)

    note = f" (training time scaled from {limit} images)" if limit < N_TRAIN else ""
    if args.report:
        print(f"| run | threads | simdnn s/epoch ({rows[0][2].get('isa', '?')}) | "
              f"PyTorch {torch.__version__} s/epoch | simdnn speed-up |")
        print("|---|---:|---:|---:|---:|")
        for label, row, summ in rows:
            s = float(summ["seconds_per_epoch"])
            p = row["seconds_per_epoch"]
            print(f"| {label} | {row['threads']} | {s:.2f} | {p:.2f} | {p / s:.2f}× |")
        print(f"\nPyTorch: one epoch{note}, batch as in each run, same machine.")
    elif args.markdown:
        print(f"| variant | threads | batch | PyTorch {torch.__version__} s/epoch | val accuracy |")
        print("|---|---:|---:|---:|---:|")
        for label, row, _ in rows:
            print(f"| {label} | {row['threads']} | {row['batch']} | {row['seconds_per_epoch']:.2f} "
                  f"| {row['val_accuracy']:.4f} |")
        if note:
            print(f"\nOne epoch{note}.")


if __name__ == "__main__":
    main()
