#!/usr/bin/env python3
"""model.fit from Python against `simdnn train` on the same run (a preset, the same data, seed and
threads): samples/s as each reports it (the library's fit state: samples trained over the seconds
of its epoch loops, the Python progress callback included), runs interleaved, medians printed.

    python3 python/benchmarks/fit_vs_cli.py --data cifar-10-binary.tar.gz --repeats 3
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import simdnn  # noqa: E402
from examples.exercise_8 import build  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--preset", default="elu-he")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--train-limit", type=int, default=0)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--verbose", type=int, default=1, help="Python's progress: 0, 1 (bar), 2")
    p.add_argument("--cli", default=os.path.join(os.path.dirname(simdnn.library_path), "simdnn"))
    a = p.parse_args()
    if a.threads:
        simdnn.set_num_threads(a.threads)
    (x, y), _ = simdnn.datasets.cifar10.load_data(a.data)
    if a.train_limit:
        x, y = x[:a.train_limit], y[:a.train_limit]
    cli, py = [], []
    with tempfile.TemporaryDirectory() as tmp:
        def run_cli(r):
            out = os.path.join(tmp, f"cli{r}")
            subprocess.run([a.cli, "train", "--preset", a.preset, "--data", a.data, "--out", out,
                            "--epochs", str(a.epochs), "--train-limit", str(a.train_limit),
                            "--test-limit", "1", "--threads", str(simdnn.num_threads()),
                            "--progress", "quiet"], check=True, capture_output=True)
            with open(os.path.join(out, "summary.json")) as f:
                cli.append(json.load(f)["samples_per_second"])

        def run_python(r):
            model = build(a.preset, 42)
            h = model.fit(x, y, epochs=a.epochs, validation_split=0.1, verbose=a.verbose,
                          callbacks=[simdnn.callbacks.EarlyStopping(
                              monitor="val_accuracy", patience=20, restore_best_weights=True)])
            py.append(h.samples_per_second)

        for r in range(a.repeats):  # interleaved, each side first every other time
            for side in ((run_cli, run_python) if r % 2 == 0 else (run_python, run_cli)):
                side(r)
            print(f"run {r + 1}: CLI {cli[-1]:.0f} samples/s, Python {py[-1]:.0f} samples/s",
                  file=sys.stderr)
    c, q = statistics.median(cli), statistics.median(py)
    print(f"{a.preset}, {a.epochs} epochs of {len(x) - int(0.1 * len(x))} samples, "
          f"{simdnn.num_threads()} threads, isa {simdnn.isa()}: CLI median {c:.0f} samples/s, "
          f"Python median {q:.0f} samples/s ({100 * (q / c - 1):+.2f} %)")


if __name__ == "__main__":
    main()
