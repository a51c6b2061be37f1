"""simdnn from Python: Keras' Sequential API over libsimdnn.so (ctypes, no compiled extension).

    import simdnn
    from simdnn.layers import Flatten, Dense
    model = simdnn.Sequential([Flatten(), Dense(100, activation="elu",
                                                kernel_initializer="he_normal"),
                               Dense(10, activation="softmax")])
    model.compile(optimizer=simdnn.optimizers.Nadam(learning_rate=5e-5),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=10, validation_split=0.1)
"""
from . import _lib
from ._lib import (FormatError, InvalidArgumentError, LibraryIOError, LibraryMemoryError,
                   NumericError, SimdnnError, StateError, UnsupportedError, build_library)
from . import callbacks, datasets, initializers, layers, optimizers, regularizers
from .models import Sequential, load_model, set_random_seed
from .profiler import profile, scope as profile_scope

__version__ = "0.3.0"
library_path = _lib.path


def library_version():
    """The version of the libsimdnn.so in use."""
    return _lib.lib.sdn_version().decode()


def isa():
    """The kernels the library dispatched to on this CPU ("avx2", "avx512", "neon", "ref")."""
    return _lib.lib.sdn_isa_name(_lib.lib.sdn_active_isa()).decode()


def set_num_threads(n):
    """Threads the library uses (OpenMP); n <= 0 restores the default."""
    _lib.lib.sdn_set_num_threads(int(n))


def num_threads():
    return int(_lib.lib.sdn_num_threads())


__all__ = ["Sequential", "load_model", "set_random_seed", "profile", "profile_scope",
           "callbacks", "datasets", "initializers", "layers", "optimizers", "regularizers",
           "SimdnnError", "InvalidArgumentError", "FormatError", "LibraryIOError",
           "LibraryMemoryError", "NumericError", "StateError", "UnsupportedError",
           "library_version", "isa", "set_num_threads", "num_threads", "build_library"]
