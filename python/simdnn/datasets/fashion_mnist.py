"""Fashion-MNIST (or MNIST): a folder of train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte,
t10k-images-..., t10k-labels-..."""
import os

from .._lib import lib
from ._load import arrays, load, locate

DEBIAN = "/usr/share/datasets/fashion-mnist"  # Debian's dataset-fashion-mnist


def load_data(path=None):
    """((x_train, y_train), (x_test, y_test)) as Keras' fashion_mnist.load_data: x uint8
    [n, 28, 28] (views of the library's buffers), y uint8 [n]. path None: $SIMDNN_DATA or
    ./data when it holds the files, else Debian's package."""
    if path is None:
        path = locate(None)
        if not any(os.path.exists(os.path.join(path, "t10k-labels-idx1-ubyte" + z))
                   for z in ("", ".gz")):
            path = DEBIAN
    train, test = load(lib.sdn_idx_load_dir, os.fspath(path))
    out = []
    for d in (train, test):
        out.append(arrays(d, (d.height, d.width) if d.height else (d.features,), ()))
    return tuple(out)
