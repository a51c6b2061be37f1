"""NumPy arrays to the library without copies where their layout allows, clear errors otherwise."""
import ctypes

import numpy as np

from . import _lib


def as_input(x, name="x"):
    """x as the library reads it: uint8 pixels (scaled by 1/255, standardized by a Normalization
    layer) or float32 values used as they are, C-contiguous, [n, ...]. Never copied."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array (uint8 pixels or float32), "
                        f"not {type(x).__name__}")
    if x.dtype != np.uint8 and x.dtype != np.float32:
        raise TypeError(f"{name} has dtype {x.dtype}; simdnn takes float32 (used as they are) "
                        f"or uint8 (pixels, scaled by 1/255): convert it once with "
                        f"{name}.astype(np.float32)")
    if x.ndim < 2 or x.shape[0] == 0:
        raise ValueError(f"{name} has shape {x.shape}: expected [samples, features...] with at "
                         f"least one sample")
    if not x.flags.c_contiguous:
        raise ValueError(f"{name} is not C-contiguous (a transposed or strided view): pass "
                         f"np.ascontiguousarray({name}) (a copy)")
    return x


def features(x):
    return int(np.prod(x.shape[1:], dtype=np.int64))


def as_labels(y, n, classes, name="y"):
    """Integer class labels [n] or [n, 1] as int32 (copied only when they are not int32 already:
    n × 4 bytes)."""
    if not isinstance(y, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array of integer class labels, "
                        f"not {type(y).__name__}")
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"{name} has dtype {y.dtype}: sparse_categorical_crossentropy takes "
                        f"integer class labels")
    if not (y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1)):
        raise ValueError(f"{name} has shape {y.shape}: expected [samples] or [samples, 1] "
                         f"class labels")
    if y.shape[0] != n:
        raise ValueError(f"{name} has {y.shape[0]} labels for {n} samples")
    y = np.ascontiguousarray(y.reshape(-1), dtype=np.int32)
    if n and (y.min() < 0 or y.max() >= classes):
        raise ValueError(f"{name} holds labels in [{y.min()}, {y.max()}]; the model has "
                         f"{classes} classes: labels must be in [0, {classes})")
    return y


def ptr(a, ctype=ctypes.c_float):
    return a.ctypes.data_as(ctypes.POINTER(ctype))


def dataset(x, labels, classes):
    """A view of x (and int32 labels) as an sdn_dataset; the caller keeps both alive."""
    d = _lib.sdn_dataset()
    d.n = x.shape[0]
    d.features = features(x)
    d.classes = classes
    d.labels = ptr(labels, ctypes.c_int32) if labels is not None else None
    if x.dtype == np.uint8:
        d.pixels = ptr(x, ctypes.c_uint8)
    else:
        d.values = ptr(x)
    return d
