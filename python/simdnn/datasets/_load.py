"""Datasets loaded by the library, handed to NumPy as views of its buffers."""
import ctypes
from ctypes import byref

import numpy as np

from .. import _lib
from .._lib import check, lib


class _Owner:
    """Keeps a C dataset alive while arrays view its pixels; frees it with the last of them."""

    def __init__(self, d, shape):
        self.d = d
        self.__array_interface__ = {"shape": shape, "typestr": "|u1", "version": 3,
                                    "data": (ctypes.addressof(d.pixels.contents), False)}

    def __del__(self):
        if lib is not None:
            lib.sdn_dataset_free(byref(self.d))


def arrays(d, shape, label_shape):
    """(x, y) of a loaded dataset: x a view of its pixels with `shape` per sample, y its labels
    as uint8 (Keras' dtype)."""
    if d.n == 0:
        lib.sdn_dataset_free(byref(d))
        return np.empty((0,) + shape, np.uint8), np.empty((0,) + label_shape, np.uint8)
    y = np.ctypeslib.as_array(d.labels, (d.n,)).astype(np.uint8).reshape((d.n,) + label_shape)
    x = np.asarray(_Owner(d, (d.n,) + shape))
    return x, y


def load(loader, path):
    train, test = _lib.sdn_dataset(), _lib.sdn_dataset()
    check(loader(path.encode(), byref(train), byref(test)))
    return train, test


def locate(path):
    return path if path else lib.sdn_data_locate(None).decode()
