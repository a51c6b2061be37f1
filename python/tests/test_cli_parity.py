"""Same seed, same bits: a model trained from Python and the same model trained by `simdnn train`
end with identical weights and histories, and each side reads the other's model file."""
import json
import os
import subprocess

import numpy as np
import pytest

import simdnn
from simdnn.callbacks import EarlyStopping
from simdnn.layers import (Activation, AlphaDropout, BatchNormalization, Dense, Dropout, Flatten,
                           Normalization)

CASES = {
    # the elu-he preset, small: IDX files (Fashion-MNIST's format), monitor val_accuracy
    "elu-he-idx": (["--dataset", "idx", "--layers", "2", "--units", "16", "--epochs", "6",
                    "--patience", "1", "--monitor", "val_accuracy"],
                   lambda: [Normalization(), Flatten(),
                            Dense(16, "elu", kernel_initializer="he_normal"),
                            Dense(16, "elu", kernel_initializer="he_normal"),
                            Dense(10, "softmax")],
                   lambda: simdnn.optimizers.Nadam(), "val_accuracy", 6),
    # batch norm on the inputs and before each activation, SELU, alpha dropout, Adam; CIFAR-10
    # binary files; patience 1 on val_loss
    "batchnorm-cifar": (["--dataset", "cifar10", "--layers", "2", "--units", "24",
                         "--activation", "selu", "--init", "lecun_normal", "--batch-norm",
                         "--alpha-dropout", "0.1", "--optimizer", "adam", "--lr", "0.002",
                         "--epochs", "4", "--patience", "1", "--batch-size", "20"],
                        lambda: [Normalization(), Flatten(), BatchNormalization(),
                                 Dense(24, kernel_initializer="lecun_normal"),
                                 BatchNormalization(), Activation("selu"),
                                 Dense(24, kernel_initializer="lecun_normal"),
                                 BatchNormalization(), Activation("selu"), AlphaDropout(0.1),
                                 Dense(10, "softmax")],
                        lambda: simdnn.optimizers.Adam(learning_rate=0.002), "val_loss", 4),
    # plain SGD with momentum, dropout, no standardization, the 1cycle schedule
    "sgd-1cycle-idx": (["--dataset", "idx", "--layers", "1", "--units", "32", "--dropout", "0.2",
                        "--optimizer", "sgd", "--momentum", "0.9", "--lr", "0.05",
                        "--schedule", "1cycle", "--no-standardize", "--epochs", "3",
                        "--patience", "0", "--no-restore-best"],
                       lambda: [Flatten(), Dense(32, "elu", kernel_initializer="he_normal"),
                                Dropout(0.2), Dense(10, "softmax")],
                       lambda: simdnn.optimizers.SGD(
                           learning_rate=simdnn.optimizers.schedules.OneCycle(0.05),
                           momentum=0.9), None, 3),
}


def bits(a):
    return np.ascontiguousarray(a, np.float32).view(np.uint32)


@pytest.mark.parametrize("case", sorted(CASES))
def test_python_and_cli_train_the_same_bits(case, cli, tmp_path):
    args, make_layers, make_opt, monitor, epochs = CASES[case]
    from conftest import write_cifar, write_idx
    data = str(tmp_path / "data")
    if "cifar10" in args:
        write_cifar(data)
        (x, y), _ = simdnn.datasets.cifar10.load_data(data)
    else:
        write_idx(data)
        (x, y), _ = simdnn.datasets.fashion_mnist.load_data(data)
    out = str(tmp_path / "cli")
    subprocess.run([cli, "train", "--data", data, "--out", out, "--seed", "7", "--progress",
                    "quiet", "--threads", str(simdnn.num_threads())] + args, check=True,
                   capture_output=True)

    model = simdnn.Sequential(make_layers(), seed=7)
    model.compile(optimizer=make_opt(), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    callbacks = [EarlyStopping(monitor=monitor, patience=int(args[args.index("--patience") + 1]),
                               restore_best_weights=True)] if monitor else []
    history = model.fit(x, y, epochs=epochs, batch_size=int(args[args.index("--batch-size") + 1])
                        if "--batch-size" in args else 32, validation_split=0.1,
                        callbacks=callbacks, verbose=0)

    cli_model = simdnn.load_model(out)  # the run folder: its model.safetensors
    ours, theirs = model.get_weights(), cli_model.get_weights()
    assert [w.shape for w in ours] == [w.shape for w in theirs]
    for a, b in zip(ours, theirs):
        assert np.array_equal(bits(a), bits(b))
    if model._normalization is not None:
        assert np.array_equal(bits(model._normalization.mean),
                              bits(cli_model._normalization.mean))
    with open(os.path.join(out, "history.json")) as f:
        cli_history = json.load(f)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert history.history[key] == cli_history[key], key  # printed with 17 digits
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    assert history.stop_reason == summary["stop_reason"]
    # the CLI evaluates the Python model's file as its own
    mine = str(tmp_path / "python.safetensors")
    model.save(mine)
    r = subprocess.run([cli, "evaluate", "--model", mine, "--data", data, "--dataset",
                        "cifar10" if "cifar10" in args else "idx"], check=True,
                       capture_output=True, text=True)
    (_, _), (xt, yt) = ((None, None), simdnn.datasets.cifar10.load_data(data)[1]
                        if "cifar10" in args else simdnn.datasets.fashion_mnist.load_data(data)[1])
    loss, acc = model.evaluate(xt, yt, verbose=0)
    assert f"{acc:.4f}" in r.stdout + r.stderr
