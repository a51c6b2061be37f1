#!/usr/bin/env python3
"""Géron, Hands-On Machine Learning, ch. 11, exercise 8 on CIFAR-10, through the simdnn package,
as a notebook would run it: 8b (He + ELU), 8c (batch normalization), 8d (SELU), 8e (alpha
dropout), then MC Dropout on 8e. Prints the table `simdnn exercise` writes into report.md; with
the same flags and seed the accuracies, epochs and stop reasons are the CLI's, bit for bit (the
same presets: apps/presets.c; the same network: src/train/net.c's sdn_net_build).

    python3 python/examples/exercise_8.py --data cifar-10-binary.tar.gz --quick
"""
import argparse
import os
import sys
import time

import numpy as np

try:
    import simdnn
except ImportError:  # run from the checkout without installing
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import simdnn
from simdnn.callbacks import EarlyStopping
from simdnn.layers import (Activation, AlphaDropout, BatchNormalization, Dense, Flatten,
                           Normalization)
from simdnn.optimizers import Nadam

RUNS = [("8b", "elu-he", "He normal + ELU, Nadam lr 5e-5"),
        ("8c", "batchnorm", "BN before every activation, Nadam lr 5e-4"),
        ("8d", "selu", "LeCun normal + SELU, standardized inputs, Nadam lr 7e-4"),
        ("8e", "alpha-dropout", "SELU + AlphaDropout(0.1), Nadam lr 5e-4")]


def build(preset, seed, layers=20, units=100):
    """The preset's network (every preset standardizes its inputs: Normalization())."""
    if preset == "batchnorm":
        hidden = [BatchNormalization()]
        for _ in range(layers):
            hidden += [Dense(units, kernel_initializer="he_normal"), BatchNormalization(),
                       Activation("elu")]
        lr = 5e-4
    elif preset == "elu-he":
        hidden = [Dense(units, activation="elu", kernel_initializer="he_normal")
                  for _ in range(layers)]
        lr = 5e-5
    else:  # selu, alpha-dropout
        hidden = [Dense(units, activation="selu", kernel_initializer="lecun_normal")
                  for _ in range(layers)]
        lr = 7e-4
        if preset == "alpha-dropout":
            hidden.append(AlphaDropout(0.1))
            lr = 5e-4
    model = simdnn.Sequential([Normalization(), Flatten()] + hidden +
                              [Dense(10, activation="softmax")], seed=seed)
    model.compile(optimizer=Nadam(learning_rate=lr), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def duration(s):
    if s >= 3600:
        return f"{int(s // 3600)}h{int(s // 60 % 60):02d}m"
    if s >= 60:
        return f"{int(s // 60)}m{int(s % 60):02d}s"
    return f"{s:.1f}s"


def table(results, mc, mc_samples):
    """report.md's table (apps/exercise_report.c), row for row."""
    lines = ["| run | model | best val acc | test acc | epochs to best | epochs run | s/epoch | "
             "total time | stop | peak val acc |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|---:|"]
    for (rid, preset, what), r in results:
        h = r["history"]
        val = h.history["val_accuracy"]
        peak, peak_epoch = 0.0, 0
        for e, v in enumerate(val):  # the first highest, as the CLI
            if v > peak:
                peak, peak_epoch = v, e + 1
        lines.append(f"| {rid} | {preset}: {what} | {100 * h.best_val_accuracy:.2f}% | "
                     f"{100 * r['test_accuracy']:.2f}% | {h.best_epoch} | {len(h.epoch)} | "
                     f"{np.mean(h.seconds):.1f} | "
                     f"{duration(h.train_seconds + h.eval_seconds)} | {h.stop_reason} | "
                     f"{100 * peak:.2f}% (epoch {peak_epoch}) |")
    if mc is not None:
        lines.append(f"| 8e + MC | 8e's model, MC Dropout ({mc_samples} samples) | "
                     f"{100 * mc['val'][1]:.2f}% | {100 * mc['test'][1]:.2f}% | | | | | | |")
    return "\n".join(lines)


def mc_dropout(model, x_val, y_val, x_test, y_test, samples):
    """Accuracy without and with MC Dropout, on the validation part then the test set (the CLI's
    order: each MC call draws new masks)."""
    out = {}
    for name, x, y in (("val", x_val, y_val), ("test", x_test, y_test)):
        y = y.reshape(-1)
        plain = model.predict(x)
        mean, std = model.predict(x, mc_samples=samples, return_std=True)
        picked = mean.argmax(1)
        out[name] = ((plain.argmax(1) == y).mean(), (picked == y).mean())
        if name == "test":
            out["spread"] = std[np.arange(len(y)), picked].astype(np.float64).mean()
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", help="cifar-10-binary.tar.gz or its folder [$SIMDNN_DATA, ./data]")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: 6000 training samples, 1000 test, 2 epochs, 10 MC samples")
    p.add_argument("--epochs", "--max-epochs", type=int, help="the most epochs per run [100]")
    p.add_argument("--runs", default="8b,8c,8d,8e", help="subset, e.g. 8b,8c")
    p.add_argument("--mc-samples", type=int, help="MC Dropout passes on 8e (0: skip) [100]")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--patience", type=int, default=20)
    p.add_argument("--monitor", default="val_accuracy", choices=["val_accuracy", "val_loss"])
    p.add_argument("--validation-split", type=float, default=0.1)
    p.add_argument("--train-limit", type=int, help="the first N training samples [all]")
    p.add_argument("--test-limit", type=int, help="the first N test samples [all]")
    p.add_argument("--threads", type=int, default=0, help="threads (0: OpenMP's default)")
    p.add_argument("--verbose", type=int, default=1, help="fit's verbose (0, 1, 2)")
    p.add_argument("--out", help="folder for each run's model (<id>-<preset>.safetensors)")
    a = p.parse_args(argv)
    quick = dict(train_limit=6000, test_limit=1000, epochs=2, mc_samples=10) if a.quick else {}
    for k, v in dict(dict(train_limit=None, test_limit=None, epochs=100, mc_samples=100),
                     **quick).items():
        if getattr(a, k) is None:
            setattr(a, k, v)
    if a.threads:
        simdnn.set_num_threads(a.threads)

    (x, y), (x_test, y_test) = simdnn.datasets.cifar10.load_data(a.data)
    if a.train_limit:  # views: nothing is copied
        x, y = x[:a.train_limit], y[:a.train_limit]
    if a.test_limit:
        x_test, y_test = x_test[:a.test_limit], y_test[:a.test_limit]
    n_val = int(a.validation_split * len(x)) if a.validation_split < 1 else int(a.validation_split)
    x_val, y_val = x[len(x) - n_val:], y[len(y) - n_val:]  # fit's validation_split: the last part
    print(f"CIFAR-10: {len(x) - n_val} train, {n_val} validation, {len(x_test)} test; "
          f"simdnn {simdnn.library_version()} ({simdnn.library_path}), isa {simdnn.isa()}, "
          f"{simdnn.num_threads()} threads", file=sys.stderr)

    results, mc, started = [], None, time.time()
    for run in RUNS:
        rid, preset, what = run
        if rid not in a.runs.split(","):
            continue
        print(f"\n=== {rid}: {preset} ({what}) ===", file=sys.stderr)
        model = build(preset, a.seed)
        history = model.fit(x, y, epochs=a.epochs, batch_size=a.batch_size,
                            validation_split=a.validation_split, verbose=a.verbose,
                            callbacks=[EarlyStopping(monitor=a.monitor, patience=a.patience,
                                                     restore_best_weights=True)])
        test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
        print(f"done ({history.stop_reason}): best epoch {history.best_epoch} of "
              f"{len(history.epoch)}, val_accuracy {history.best_val_accuracy:.4f}, "
              f"test_accuracy {test_accuracy:.4f}; {history.samples_per_second:.0f} samples/s",
              file=sys.stderr)
        if a.out:
            os.makedirs(a.out, exist_ok=True)
            model.save(os.path.join(a.out, f"{rid}-{preset}.safetensors"))
        results.append((run, {"history": history, "test_accuracy": test_accuracy}))
        if rid == "8e" and a.mc_samples > 0:
            mc = mc_dropout(model, x_val, y_val, x_test, y_test, a.mc_samples)
            print(f"\n=== MC Dropout on 8e: {a.mc_samples} samples ===\n"
                  f"val accuracy {mc['val'][0]:.4f} -> {mc['val'][1]:.4f} with MC Dropout; "
                  f"test accuracy {mc['test'][0]:.4f} -> {mc['test'][1]:.4f}; mean std of the "
                  f"predicted class {mc['spread']:.4f}", file=sys.stderr)
    print(f"\n# Exercise 8 (Géron, ch. 11): deep dense networks on CIFAR-10\n\n"
          f"Produced by python/examples/exercise_8.py in {duration(time.time() - started)}: "
          f"isa {simdnn.isa()}, {simdnn.num_threads()} threads; {len(x) - n_val} training, "
          f"{n_val} validation, {len(x_test)} test samples.\n")
    print(table(results, mc, a.mc_samples))


if __name__ == "__main__":
    main()
