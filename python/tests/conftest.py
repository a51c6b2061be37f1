"""Shared by the tests: the package from this checkout, the CLI beside its library, and small
datasets written in the formats the CLI reads (IDX, CIFAR-10 binary) into temporary folders."""
import gzip
import os
import struct
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # python/: import simdnn from this checkout

import simdnn  # noqa: E402


@pytest.fixture(scope="session")
def cli():
    """The simdnn tool built with the library in use (same build folder), or $SIMDNN_CLI."""
    path = os.environ.get("SIMDNN_CLI") or os.path.join(os.path.dirname(simdnn.library_path),
                                                        "simdnn")
    if not os.access(path, os.X_OK):
        pytest.skip(f"no simdnn tool at {path} (set SIMDNN_CLI)")
    return path


def pattern_data(n, features, classes=10, seed=0):
    """Pixels with a learnable pattern: each class brightens its own band of features."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n).astype(np.uint8)
    x = rng.integers(0, 200, (n, features)).astype(np.int32)
    band = features // classes
    for c in range(classes):
        x[y == c, c * band:(c + 1) * band] += 12
    return np.clip(x, 0, 255).astype(np.uint8), y


def write_idx(folder, n_train=600, n_test=100, side=28, gz=False):
    """Fashion-MNIST's four IDX files; returns ((x, y), (xt, yt)) as written."""
    os.makedirs(folder, exist_ok=True)
    x, y = pattern_data(n_train + n_test, side * side, seed=1)
    x = x.reshape(-1, side, side)
    parts = {"train": (x[:n_train], y[:n_train]), "t10k": (x[n_train:], y[n_train:])}
    for prefix, (xi, yi) in parts.items():
        for kind, payload in (("images-idx3-ubyte",
                               struct.pack(">IIII", 0x803, len(xi), side, side) + xi.tobytes()),
                              ("labels-idx1-ubyte", struct.pack(">II", 0x801, len(yi)) +
                               yi.tobytes())):
            path = os.path.join(folder, f"{prefix}-{kind}")
            if gz:
                with gzip.open(path + ".gz", "wb") as f:
                    f.write(payload)
            else:
                with open(path, "wb") as f:
                    f.write(payload)
    return parts["train"], parts["t10k"]


def write_cifar(folder, per_batch=120, n_test=100):
    """cifar-10-batches-bin/: five training batches and a test batch of label + 3072 bytes."""
    os.makedirs(folder, exist_ok=True)
    x, y = pattern_data(5 * per_batch + n_test, 3072, seed=2)
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
    for i, name in enumerate(names):
        lo = i * per_batch
        hi = lo + (per_batch if i < 5 else n_test)
        rec = np.concatenate([y[lo:hi, None], x[lo:hi]], axis=1)
        rec.astype(np.uint8).tofile(os.path.join(folder, name))
    return (x[:5 * per_batch], y[:5 * per_batch]), (x[5 * per_batch:], y[5 * per_batch:])


@pytest.fixture
def idx_dir(tmp_path):
    folder = str(tmp_path / "fashion")
    write_idx(folder)
    return folder


@pytest.fixture
def cifar_dir(tmp_path):
    folder = str(tmp_path / "cifar")
    write_cifar(folder)
    return folder
