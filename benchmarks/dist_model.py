#!/usr/bin/env python3
"""Time per data-parallel step for 2-64 ranks, from measured compute and a ring-allreduce model.

    T(N) = t_grad(b) + t_update / N + 2(N-1)/N * S/B + 2(N-1) * alpha

t_grad(b): one rank's forward + backward at b rows (simdnn_dist_bench), t_update: the optimizer on
all S bytes of weights (each rank updates 1/N of them), the last two terms: a reduce-scatter and an
allgather over a ring of links of bandwidth B and per-message latency alpha (what simdnn's
Alltoallv + Allgatherv move, and what a ring allreduce moves). Prints markdown tables for
docs/distributed.md. The measured inputs are flags; the defaults are this machine's medians.
"""
import argparse

LINKS = [  # name, bandwidth in bytes/s, per-message latency in s (assumed, see the doc)
    ("10 Gb/s Ethernet (TCP)", 10e9 / 8, 30e-6),
    ("25 Gb/s Ethernet (RoCE)", 25e9 / 8, 10e-6),
    ("100 Gb/s InfiniBand", 100e9 / 8, 2e-6),
]
RANKS = [1, 2, 4, 8, 16, 32, 64]


def step_time(n, t_grad, t_update, size, bw, alpha):
    if n == 1:
        return t_grad + t_update
    return t_grad + t_update / n + 2 * (n - 1) / n * size / bw + 2 * (n - 1) * alpha


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--params", type=int, default=500210)
    ap.add_argument("--grad-ms", type=float, nargs=2, default=[0.71, 2.5],
                    metavar=("B32", "B128"), help="gradient pass at 32 and 128 rows per rank")
    ap.add_argument("--update-ms", type=float, default=0.10, help="optimizer on all weights")
    a = ap.parse_args()
    size = 4 * a.params
    print(f"S = {size / 1e6:.2f} MB; update {a.update_ms} ms on all weights\n")
    for rows, grad_ms in zip((32, 128), a.grad_ms):
        t_grad, t_update = grad_ms * 1e-3, a.update_ms * 1e-3
        print(f"#### {rows} rows per rank (gradient pass {grad_ms} ms)\n")
        print("| link | " + " | ".join(f"N={n}" for n in RANKS[1:]) + " |")
        print("|---|" + "---|" * (len(RANKS) - 1))
        for name, bw, alpha in LINKS:
            t1 = step_time(1, t_grad, t_update, size, bw, alpha)
            cells = []
            for n in RANKS[1:]:
                t = step_time(n, t_grad, t_update, size, bw, alpha)
                cells.append(f"{1e3 * t:.2f} ms, {n * t1 / t:.1f}×, {100 * t1 / t:.0f}%")
            print(f"| {name} | " + " | ".join(cells) + " |")
        print()


if __name__ == "__main__":
    main()
