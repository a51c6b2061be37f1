#!/usr/bin/env python3
"""simdnn vs OpenBLAS SGEMM: runs simdnn_bench (bench_gemm.cc) with --benchmark_format=json, simdnn
and OpenBLAS in separate processes (their idle threads would otherwise spin against each other),
OpenBLAS once per OPENBLAS_CORETYPE setting, and prints GFLOP/s and simdnn/OpenBLAS ratios.

  python3 benchmarks/compare_gemm.py --bench build/simdnn_bench [--filter REGEX] [--reps 3]
  SIMDNN_ISA=avx2 python3 benchmarks/compare_gemm.py --isa avx2 --coretypes Haswell

The ratio is against the faster OpenBLAS run. The --reps repetitions alternate between simdnn's
and OpenBLAS's processes. --isa keeps one simdnn ISA (its threads:2 cases run the ISA SIMDNN_ISA
selects), so each ISA can be set against OpenBLAS's kernels of the same width. --metric best
(default) uses each benchmark's fastest iteration (GFLOPS_best), the better estimate on a shared
machine; --metric mean uses GFLOPS."""
import argparse
import json
import os
import re
import subprocess
import sys


def run(bench, name_filter, env, reps, min_time):
    cmd = [bench, "--benchmark_format=json", f"--benchmark_filter={name_filter}",
           f"--benchmark_repetitions={reps}", f"--benchmark_min_time={min_time}"]
    out = subprocess.run(cmd, env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
    if not out.strip():  # Google Benchmark prints nothing when the filter matches no case
        sys.exit(f"compare_gemm.py: no benchmark matches {name_filter!r} "
                 "(--filter matches 'MxNxK/TT/threads:T' from its start)")
    data = json.loads(out)
    ctx = data.get("context", {})
    results = {}
    for b in data["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        name = b.get("run_name", b["name"])
        results.setdefault(name, []).append(b)
    return ctx, results


def best(entries, metric):
    key = "GFLOPS_best" if metric == "best" else "GFLOPS"
    return max(e[key] for e in entries)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--bench", default="build/simdnn_bench")
    ap.add_argument("--filter", default=".", help="regex on 'MxNxK/TT/threads:T'")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--min-time", default="0.2")
    ap.add_argument("--metric", choices=["best", "mean"], default="best")
    ap.add_argument("--isa", default="[a-z0-9]+", help="simdnn ISA to run (default: every one)")
    ap.add_argument("--coretypes", default="env,unset",
                    help="OpenBLAS runs: 'env' (as set), 'unset', or a core name, comma-separated")
    args = ap.parse_args()

    shape_re = args.filter
    # The repetitions alternate between the libraries' processes, so a change in the host's speed
    # (other tenants, the boost clock) falls on both sides of a ratio, not on one.
    simdnn_ctx, simdnn = {}, {}
    blas = {}  # core type -> [label, results]
    for _ in range(args.reps):
        simdnn_ctx, res = run(args.bench, f"sgemm/simdnn:({args.isa})/({shape_re})", os.environ,
                              1, args.min_time)
        for name, entries in res.items():
            simdnn.setdefault(name, []).extend(entries)
        for ct in args.coretypes.split(","):
            env = dict(os.environ)
            if ct == "unset":
                env.pop("OPENBLAS_CORETYPE", None)
            elif ct != "env":
                env["OPENBLAS_CORETYPE"] = ct
            try:
                ctx, res = run(args.bench, f"sgemm/openblas/({shape_re})", env, 1, args.min_time)
            except subprocess.CalledProcessError as e:
                print(f"openblas run ({ct}) failed: {e}", file=sys.stderr)
                continue
            if res:
                label = (f"openblas[{ctx.get('openblas_core', '?')},"
                         f"{ctx.get('OPENBLAS_CORETYPE', '?')}]")
                merged = blas.setdefault(ct, [label, {}])[1]
                for name, entries in res.items():
                    merged.setdefault(name, []).extend(entries)
    blas_runs = [(label, res) for label, res in blas.values()]

    # Group by case: "MxNxK/TT/threads:T".
    case_re = re.compile(r"^sgemm/([^/]+)/(.+)$")
    isas, cases = [], []
    table = {}
    for name, entries in simdnn.items():
        lib, case = case_re.match(name).groups()
        if lib not in isas:
            isas.append(lib)
        if case not in cases:
            cases.append(case)
        table[(lib, case)] = best(entries, args.metric)
    for label, res in blas_runs:
        for name, entries in res.items():
            _, case = case_re.match(name).groups()
            if case not in cases:
                cases.append(case)
            table[(label, case)] = best(entries, args.metric)

    def case_key(c):
        shape, trans, threads = c.split("/")
        m, n, k = (int(x) for x in shape.split("x"))
        square = m == n == k
        return (not square, threads, trans, m * n * k, m, n, k)

    cases.sort(key=case_key)
    fast_isas = [i for i in isas if not i.endswith(":ref")]
    cols = isas + [label for label, _ in blas_runs] + [f"{i}/blas" for i in fast_isas]
    print(f"GFLOP/s ({args.metric} of {args.reps} repetitions; simdnn ISA for threads:2 = "
          f"{simdnn_ctx.get('simdnn_isa', '?')}); ratio = simdnn / faster OpenBLAS")
    width = max(len(c) for c in cases) + 2
    print("case".ljust(width) + "".join(f"{c:>26}" for c in cols))
    for case in cases:
        row = case.ljust(width)
        blas = [table.get((label, case)) for label, _ in blas_runs]
        blas = [b for b in blas if b is not None]
        top = max(blas) if blas else None
        for c in isas + [label for label, _ in blas_runs]:
            v = table.get((c, case))
            row += f"{v:26.1f}" if v is not None else f"{'-':>26}"
        for i in fast_isas:
            v = table.get((i, case))
            row += f"{v / top:26.2f}" if v is not None and top else f"{'-':>26}"
        print(row)


if __name__ == "__main__":
    main()
