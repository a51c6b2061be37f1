"""libsimdnn.so through ctypes: finding it, the public structs as the headers lay them out, and
every status turned into an exception carrying sdn_last_error().

The structs mirror include/simdnn*.h field by field, with the C names; tests/test_layout.py
compiles a C program against the headers and checks every size and offset here."""
import ctypes
import ctypes.util
import os
import subprocess
import sys
from ctypes import (CFUNCTYPE, POINTER, Structure, byref, c_char, c_char_p, c_double, c_float,
                    c_int, c_long, c_size_t, c_uint8, c_uint64, c_void_p, c_int32)

_HERE = os.path.dirname(os.path.abspath(__file__))
try:  # an installed package: the checkout it was installed from (setup.py writes it)
    from ._source import SOURCE as _SOURCE_ROOT
except ImportError:  # running from the checkout: python/simdnn -> the repository root
    _SOURCE_ROOT = os.path.dirname(os.path.dirname(_HERE))

# ------------------------------------------------------------------------------------- errors

SDN_OK, SDN_ERR_INVALID_ARG, SDN_ERR_NOMEM, SDN_ERR_IO, SDN_ERR_FORMAT = 0, 1, 2, 3, 4
SDN_ERR_UNSUPPORTED, SDN_ERR_STATE, SDN_ERR_NUMERIC = 5, 6, 7


class SimdnnError(Exception):
    """A status the library returned; str() is its message (sdn_last_error), .status its code."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


# Each status also derives from the built-in a Python user would catch for it.
class InvalidArgumentError(SimdnnError, ValueError):
    pass


class LibraryMemoryError(SimdnnError, MemoryError):
    pass


class LibraryIOError(SimdnnError, OSError):
    pass


class FormatError(SimdnnError, ValueError):
    pass


class UnsupportedError(SimdnnError, RuntimeError):
    pass


class StateError(SimdnnError, RuntimeError):
    pass


class NumericError(SimdnnError, ArithmeticError):
    pass


_ERRORS = {SDN_ERR_INVALID_ARG: InvalidArgumentError, SDN_ERR_NOMEM: LibraryMemoryError,
           SDN_ERR_IO: LibraryIOError, SDN_ERR_FORMAT: FormatError,
           SDN_ERR_UNSUPPORTED: UnsupportedError, SDN_ERR_STATE: StateError,
           SDN_ERR_NUMERIC: NumericError}

# ------------------------------------------------------------------------------------ structs


class sdn_initializer(Structure):
    _fields_ = [("kind", c_int), ("value", c_float)]


class sdn_dense_options(Structure):
    _fields_ = [("units", c_size_t), ("activation", c_int), ("activation_alpha", c_float),
                ("kernel_init", sdn_initializer), ("bias_init", sdn_initializer),
                ("use_bias", c_int), ("l1", c_float), ("l2", c_float)]


class sdn_optimizer_options(Structure):
    _fields_ = [("kind", c_int), ("learning_rate", c_float), ("momentum", c_float),
                ("nesterov", c_int), ("beta1", c_float), ("beta2", c_float), ("rho", c_float),
                ("epsilon", c_float), ("clip_norm", c_float)]


SDN_SCHEDULE_MAX_PIECES = 16


class sdn_schedule(Structure):
    _fields_ = [("kind", c_int), ("lr0", c_float), ("decay_rate", c_float),
                ("decay_steps", c_double), ("max_lr", c_float), ("total_steps", c_uint64),
                ("staircase", c_int), ("power", c_float), ("n_boundaries", c_int),
                ("boundaries", c_uint64 * SDN_SCHEDULE_MAX_PIECES),
                ("values", c_float * (SDN_SCHEDULE_MAX_PIECES + 1)), ("factor", c_float),
                ("min_lr", c_float), ("patience", c_int), ("cooldown", c_int),
                ("min_delta", c_double), ("max_momentum", c_float), ("min_momentum", c_float)]


class sdn_schedule_state(Structure):
    _fields_ = [("lr", c_float), ("best", c_double), ("wait", c_int), ("cooldown", c_int)]


class sdn_tensor(Structure):
    _fields_ = [("name", c_char_p), ("role", c_int), ("rank", c_int), ("shape", c_size_t * 2),
                ("size", c_size_t), ("data", POINTER(c_float))]


SDN_TENSOR_PARAM, SDN_TENSOR_STATE, SDN_TENSOR_OPTIMIZER = 0, 1, 2


class sdn_dataset(Structure):
    _fields_ = [("n", c_size_t), ("features", c_size_t), ("classes", c_size_t),
                ("channels", c_int), ("height", c_int), ("width", c_int),
                ("pixels", POINTER(c_uint8)), ("labels", POINTER(c_int32)), ("owns", c_int),
                ("name", c_char * 32), ("values", POINTER(c_float))]


class sdn_preprocess(Structure):
    _fields_ = [("standardize", c_int), ("features", c_size_t), ("mean", POINTER(c_float)),
                ("std", POINTER(c_float)), ("scale", POINTER(c_float)),
                ("shift", POINTER(c_float))]


class sdn_epoch_log(Structure):
    _fields_ = [("epoch", c_int), ("loss", c_double), ("accuracy", c_double),
                ("val_loss", c_double), ("val_accuracy", c_double), ("seconds", c_double),
                ("learning_rate", c_double)]


class sdn_fit_progress(Structure):
    _fields_ = [("event", c_int), ("epoch", c_int), ("epochs", c_int), ("step", c_size_t),
                ("steps", c_size_t), ("seconds", c_double), ("loss", c_double),
                ("accuracy", c_double), ("row", POINTER(sdn_epoch_log)), ("improved", c_int),
                ("have_val", c_int), ("stop", c_int), ("message", c_char_p)]


SDN_FIT_EPOCH_BEGIN, SDN_FIT_STEP, SDN_FIT_EPOCH_END, SDN_FIT_PARTIAL = 0, 1, 2, 3
SDN_FIT_MESSAGE, SDN_FIT_STOPPED = 4, 5
SDN_MONITOR_VAL_LOSS, SDN_MONITOR_VAL_ACCURACY = 0, 1
STOP_REASONS = ("completed", "early_stopping", "numeric", "interrupted")


class sdn_fit_state(Structure):
    _fields_ = [("epochs_done", c_int), ("history", POINTER(sdn_epoch_log)),
                ("history_len", c_int), ("history_cap", c_int), ("best_epoch", c_int),
                ("best_value", c_double), ("best_val_loss", c_double),
                ("best_val_accuracy", c_double), ("wait", c_int), ("monitor", c_int),
                ("best_state", POINTER(c_float)), ("state_count", c_size_t), ("stop", c_int),
                ("message", c_char * 256), ("train_seconds", c_double),
                ("eval_seconds", c_double), ("samples_trained", c_uint64),
                ("schedule", sdn_schedule_state)]


ON_PROGRESS = CFUNCTYPE(None, c_void_p, POINTER(sdn_fit_progress))
ON_EPOCH = CFUNCTYPE(c_int, c_void_p, c_void_p, POINTER(sdn_fit_state), c_int, c_int)


class sdn_augment(Structure):
    _fields_ = [("height", c_size_t), ("width", c_size_t), ("channels", c_size_t), ("pad", c_int),
                ("flip", c_int)]


class sdn_fit_options(Structure):
    _fields_ = [("epochs", c_int), ("batch_size", c_size_t), ("seed", c_uint64),
                ("monitor", c_int), ("patience", c_int), ("min_delta", c_double),
                ("restore_best", c_int), ("on_progress", ON_PROGRESS),
                ("progress_ctx", c_void_p), ("interrupt", POINTER(c_int)),
                ("on_epoch", ON_EPOCH), ("ctx", c_void_p), ("schedule", POINTER(sdn_schedule)),
                ("augment", sdn_augment)]


class sdn_profile_options(Structure):
    _fields_ = [("dir", c_char_p), ("wait", c_int), ("warmup", c_int), ("active", c_int),
                ("trace", c_int), ("counters", c_int)]


class sdn_st_meta(Structure):
    _fields_ = [("key", c_char_p), ("value", c_char_p)]


class sdn_st_tensor(Structure):
    _fields_ = [("name", c_char_p), ("rank", c_int), ("shape", c_size_t * 4),
                ("data", POINTER(c_float))]


class sdn_net_spec(Structure):
    _fields_ = [("input_size", c_size_t), ("classes", c_size_t), ("hidden_layers", c_int),
                ("units", c_size_t), ("activation", c_int), ("activation_alpha", c_float),
                ("init", c_int), ("batch_norm", c_int), ("dropout", c_float),
                ("alpha_dropout", c_float), ("l1", c_float), ("l2", c_float),
                ("image_h", c_size_t), ("image_w", c_size_t), ("image_c", c_size_t),
                ("conv", c_char * 128)]


SDN_NET_META_COUNT, SDN_NET_META_STORE = 24, 2048

# Every struct the layout test checks against the headers.
STRUCTS = [sdn_initializer, sdn_dense_options, sdn_optimizer_options, sdn_schedule,
           sdn_schedule_state, sdn_tensor, sdn_dataset, sdn_preprocess, sdn_epoch_log,
           sdn_fit_progress, sdn_fit_state, sdn_augment, sdn_fit_options, sdn_profile_options, sdn_st_meta,
           sdn_st_tensor, sdn_net_spec]

# --------------------------------------------------------------------------- the functions

_P, _S, _D = c_void_p, c_size_t, POINTER(sdn_dataset)
# name: (result, arguments); a result of c_int is a status checked by the wrapper.
_SIGNATURES = {
    "sdn_version": (c_char_p, []),
    "sdn_status_name": (c_char_p, [c_int]),
    "sdn_last_error": (c_char_p, []),
    "sdn_dispatch_init": (c_int, []),
    "sdn_isa_name": (c_char_p, [c_int]),
    "sdn_active_isa": (c_int, []),
    "sdn_set_num_threads": (None, [c_int]),
    "sdn_num_threads": (c_int, []),
    "sdn_activation_from_name": (c_int, [c_char_p]),
    "sdn_activation_name": (c_char_p, [c_int]),
    "sdn_init_from_name": (c_int, [c_char_p]),
    "sdn_init_name": (c_char_p, [c_int]),
    "sdn_dense_defaults": (sdn_dense_options, [_S]),
    "sdn_optimizer_defaults": (sdn_optimizer_options, [c_int]),
    "sdn_optimizer_from_name": (c_int, [c_char_p]),
    "sdn_model_new": (_P, [c_uint64]),
    "sdn_model_free": (None, [_P]),
    "sdn_model_add_flatten": (c_int, [_P]),
    "sdn_model_add_dense": (c_int, [_P, POINTER(sdn_dense_options)]),
    "sdn_model_add_batch_norm": (c_int, [_P, c_float, c_float]),
    "sdn_model_add_activation": (c_int, [_P, c_int, c_float]),
    "sdn_model_add_dropout": (c_int, [_P, c_float]),
    "sdn_model_add_alpha_dropout": (c_int, [_P, c_float]),
    "sdn_model_compile": (c_int, [_P, _S, _S, POINTER(sdn_optimizer_options)]),
    "sdn_model_input_size": (_S, [_P]),
    "sdn_model_output_size": (_S, [_P]),
    "sdn_model_param_count": (_S, [_P]),
    "sdn_model_predict": (c_int, [_P, _P, _S, _P]),
    "sdn_model_predict_mc": (c_int, [_P, _P, _S, c_int, _P, _P]),
    "sdn_model_evaluate": (c_int, [_P, _P, _P, _S, POINTER(c_float), POINTER(c_float)]),
    "sdn_model_set_learning_rate": (c_int, [_P, c_float]),
    "sdn_model_set_momentum": (c_int, [_P, c_float]),
    "sdn_model_learning_rate": (c_float, [_P]),
    "sdn_model_step": (c_uint64, [_P]),
    "sdn_model_set_step": (None, [_P, c_uint64]),
    "sdn_model_summary": (c_int, [_P, _P]),
    "sdn_model_tensor_count": (_S, [_P]),
    "sdn_model_tensor": (c_int, [_P, _S, POINTER(sdn_tensor)]),
    "sdn_schedule_defaults": (sdn_schedule, [c_int, c_float]),
    "sdn_schedule_check": (c_int, [POINTER(sdn_schedule)]),
    "sdn_schedule_lr": (c_float, [POINTER(sdn_schedule), c_uint64]),
    "sdn_schedule_momentum": (c_float, [POINTER(sdn_schedule), c_uint64]),
    "sdn_schedule_state_init": (None, [POINTER(sdn_schedule_state)]),
    "sdn_data_locate": (c_char_p, [c_char_p]),
    "sdn_cifar10_load": (c_int, [c_char_p, _D, _D]),
    "sdn_idx_load_dir": (c_int, [c_char_p, _D, _D]),
    "sdn_dataset_free": (None, [_D]),
    "sdn_dataset_split": (c_int, [_D, c_double, _D]),
    "sdn_preprocess_fit": (c_int, [POINTER(sdn_preprocess), _D, c_int]),
    "sdn_preprocess_set": (c_int, [POINTER(sdn_preprocess), _S, _P, _P]),
    "sdn_preprocess_free": (None, [POINTER(sdn_preprocess)]),
    "sdn_preprocess_batch": (None, [POINTER(sdn_preprocess), _D, _P, _S, _S, _P]),
    "sdn_fit_defaults": (sdn_fit_options, []),
    "sdn_fit_state_init": (None, [POINTER(sdn_fit_state)]),
    "sdn_fit_state_free": (None, [POINTER(sdn_fit_state)]),
    "sdn_fit": (c_int, [_P, _D, _D, POINTER(sdn_preprocess), POINTER(sdn_fit_options),
                        POINTER(sdn_fit_state)]),
    "sdn_evaluate_dataset": (c_int, [_P, _D, POINTER(sdn_preprocess), POINTER(c_double),
                                     POINTER(c_double)]),
    "sdn_safetensors_open": (c_int, [c_char_p, POINTER(c_void_p)]),
    "sdn_safetensors_close": (None, [_P]),
    "sdn_safetensors_meta": (c_char_p, [_P, c_char_p]),
    "sdn_safetensors_count": (_S, [_P]),
    "sdn_safetensors_info": (c_char_p, [_P, _S, POINTER(c_int), POINTER(c_size_t)]),
    "sdn_safetensors_find": (c_long, [_P, c_char_p]),
    "sdn_safetensors_read": (c_int, [_P, c_char_p, c_int, POINTER(c_size_t), _P]),
    "sdn_model_save": (c_int, [_P, c_char_p, c_int, POINTER(sdn_st_tensor), _S,
                               POINTER(sdn_st_meta), _S]),
    "sdn_model_load": (c_int, [_P, _P, c_int]),
    "sdn_net_to_meta": (_S, [POINTER(sdn_net_spec), POINTER(sdn_optimizer_options), c_uint64,
                             POINTER(sdn_st_meta), c_char_p]),
    "sdn_net_from_file": (c_int, [_P, POINTER(sdn_net_spec), POINTER(sdn_optimizer_options),
                                  POINTER(c_uint64)]),
    "sdn_checkpoint_read_preprocess": (c_int, [_P, _S, POINTER(sdn_preprocess)]),
    "sdn_profile_defaults": (sdn_profile_options, []),
    "sdn_profile_begin": (c_int, [POINTER(sdn_profile_options)]),
    "sdn_profile_end": (c_int, []),
    "sdn_profile_active": (c_int, []),
    "sdn_profile_scope_begin": (None, [c_char_p]),
    "sdn_profile_scope_end": (None, []),
    "sdn_profile_recorded_flops": (c_double, []),
}


def _candidates():
    """Where the library may be, in order: $SIMDNN_LIBRARY, next to the package, the source
    tree's build/ (a checkout), the CMake install prefix ($SIMDNN_PREFIX, /usr/local, the
    system's search path)."""
    env = os.environ.get("SIMDNN_LIBRARY")
    if env:
        yield env
        return  # named explicitly: nothing else may stand in for it
    yield os.path.join(_HERE, "libsimdnn.so")
    for build in ("build", "build-release"):
        yield os.path.join(_SOURCE_ROOT, build, "libsimdnn.so")
    for prefix in (os.environ.get("SIMDNN_PREFIX"), sys.prefix, "/usr/local"):
        if prefix:
            yield os.path.join(prefix, "lib", "libsimdnn.so")
    found = ctypes.util.find_library("simdnn")
    if found:
        yield found


def build_library(source=None, jobs=2):
    """Builds libsimdnn.so with CMake (the release preset) in `source` (default: the checkout this
    package sits in) and returns its path."""
    source = source or _SOURCE_ROOT
    if not os.path.exists(os.path.join(source, "CMakePresets.json")):
        raise FileNotFoundError(f"{source}: not a simdnn source tree (no CMakePresets.json)")
    subprocess.run(["cmake", "--preset", "release"], cwd=source, check=True)
    subprocess.run(["cmake", "--build", "--preset", "release", "-j", str(jobs),
                    "--target", "simdnn_shared"], cwd=source, check=True)
    return os.path.join(source, "build", "libsimdnn.so")


def _open():
    tried = []
    for path in _candidates():
        if os.path.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append(f"{path} ({e})")
    if os.environ.get("SIMDNN_BUILD") == "1":
        path = build_library()
        return ctypes.CDLL(path), path
    raise ImportError("libsimdnn.so not found; tried: " + ", ".join(tried) +
                      ". Set SIMDNN_LIBRARY to its path, install it (cmake --install), or set "
                      "SIMDNN_BUILD=1 to build it here with CMake")


lib, path = _open()
for _name, (_res, _args) in _SIGNATURES.items():
    _f = getattr(lib, _name)
    _f.restype = _res
    _f.argtypes = _args

# Functions of the C library the package needs to read a FILE* (the model summary).
_libc = ctypes.CDLL(None)
_libc.open_memstream.restype = c_void_p
_libc.open_memstream.argtypes = [POINTER(c_void_p), POINTER(c_size_t)]
_libc.fclose.argtypes = [c_void_p]
_libc.free.argtypes = [c_void_p]


def last_error():
    return (lib.sdn_last_error() or b"").decode("utf-8", "replace")


def check(status, what=None):
    """Raises the exception of a nonzero status with the library's message (read on this thread,
    where the call failed)."""
    if status:
        message = last_error() or (what or "") + ": " + lib.sdn_status_name(status).decode()
        raise _ERRORS.get(status, SimdnnError)(message, status)


def capture(write):
    """What write(FILE *) prints, as a str."""
    buf, size = c_void_p(), c_size_t()
    f = _libc.open_memstream(byref(buf), byref(size))
    if not f:
        raise MemoryError("open_memstream failed")
    try:
        status = write(f)
    finally:
        _libc.fclose(f)
        text = ctypes.string_at(buf, size.value).decode("utf-8", "replace") if buf else ""
        _libc.free(buf)
    check(status)
    return text


check(lib.sdn_dispatch_init())
