"""CIFAR-10, binary version (https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz)."""
import os

import numpy as np

from .._lib import lib
from ._load import arrays, load, locate


def load_data(path=None, data_format="channels_first"):
    """((x_train, y_train), (x_test, y_test)) as Keras' cifar10.load_data, from `path`: the
    tarball (read directly), the unpacked cifar-10-batches-bin/ folder, or a folder holding
    either; None: $SIMDNN_DATA, else ./data. x is uint8; y is uint8 [n, 1] as Keras'.

    data_format "channels_first" (the default) keeps the file's order, [n, 3, 32, 32]: a view of
    the library's buffer, and the pixel order the CLI trains on (same seed, same bits).
    "channels_last" gives Keras' [n, 32, 32, 3] (a copy; a model then sees the pixels in
    another order than the CLI's)."""
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"data_format {data_format!r}: channels_first or channels_last")
    train, test = load(lib.sdn_cifar10_load, os.fspath(locate(path)))
    out = []
    for d in (train, test):
        x, y = arrays(d, (3, 32, 32), (1,))
        if data_format == "channels_last":
            x = np.ascontiguousarray(x.transpose(0, 2, 3, 1))
        out.append((x, y))
    return tuple(out)
