#!/usr/bin/python3
"""One command for the training-step comparison: runs simdnn's Google Benchmark cases
(train_step/simdnn/...) and PyTorch's identical model (train_step_torch.py), then prints samples/s
side by side with the ratio. Usage (from the repository root, after building with
-DSIMDNN_BUILD_BENCHMARKS=ON):
    /usr/bin/python3 benchmarks/compare_train.py --bench build-bench/simdnn_bench [--variants elu-he,batchnorm]
    /usr/bin/python3 benchmarks/compare_train.py --bench build-bench/simdnn_bench --cnn
(--cnn: the CIFAR-10 CNN, train_step/simdnn/cnn/... against train_step_torch_cnn.py)
The machine is shared: run it when it is quiet, and read the figures as noisy."""
import argparse
import json
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default="build-bench/simdnn_bench")
    ap.add_argument("--variants", default="elu-he")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--repetitions", type=int, default=3)
    ap.add_argument("--cnn", action="store_true", help="the CNN instead of the dense variants")
    args = ap.parse_args()
    variants = args.variants.split(",")
    suffixes = ["" if v == "elu-he" else "/" + v for v in variants]
    filt = "|".join(f"^train_step/simdnn/batch:[0-9]+/threads:[0-9]+{s}$" for s in suffixes)
    if args.cnn:
        filt = "^train_step/simdnn/cnn/batch:[0-9]+/threads:[0-9]+$"
    out = subprocess.run([args.bench, f"--benchmark_filter={filt}", "--benchmark_format=json",
                          f"--benchmark_repetitions={args.repetitions}",
                          "--benchmark_report_aggregates_only=false"],
                         check=True, capture_output=True, text=True).stdout
    ours = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("run_type") == "iteration":  # best repetition: noise only slows a run down
            ours[b["run_name"]] = max(ours.get(b["run_name"], 0.0), b["samples_per_second"])
    twin = [os.path.join(here, "train_step_torch_cnn.py")] if args.cnn else [
        os.path.join(here, "train_step_torch.py"), "--variants", args.variants]
    torch_out = subprocess.run([sys.executable] + twin + ["--seconds", str(args.seconds)],
                               check=True, capture_output=True, text=True).stdout
    theirs = {}
    version = "?"
    for line in torch_out.splitlines():
        r = json.loads(line)
        theirs[r["name"].replace("/torch/", "/simdnn/")] = r["samples_per_second"]
        version = r["torch"]
    print(f"{'case':48} {'simdnn':>12} {'torch ' + version:>14} {'ratio':>7}")
    for name in sorted(ours, key=lambda n: (n.count("/") > 3, n.split("/")[4:], int(n.split(":")[1].split("/")[0]), n)):
        t = theirs.get(name)
        ratio = f"{ours[name] / t:6.2f}x" if t else "      -"
        tt = f"{t:14.0f}" if t else f"{'-':>14}"
        print(f"{name:48} {ours[name]:12.0f} {tt} {ratio}")


if __name__ == "__main__":
    main()
