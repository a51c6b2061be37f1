"""Model files: the library's safetensors (sdn_model_save / sdn_model_load), one format for the CLI
and Python. A model whose layers are a network the CLI builds (sdn_net_build) also carries the
CLI's spec metadata, so `simdnn evaluate` and `simdnn predict` read it; CLI files load here by
rebuilding that network as layers."""
import ctypes
import json
from ctypes import byref

import numpy as np

from . import _lib, layers as L, optimizers
from ._lib import check, lib

_PREPROCESS = {True: "x/255 then (x - preprocess.mean) / preprocess.std, per feature",
               False: "x/255"}  # the CLI's words (src/train/checkpoint.c)


def spec_layers(s):
    """The layers sdn_net_build makes of a spec (src/train/net.c), in its order."""
    act = lib.sdn_activation_name(s.activation).decode()
    init = lib.sdn_init_name(s.init).decode()
    reg = {"l1": float(s.l1), "l2": float(s.l2)} if s.l1 or s.l2 else None
    out = [L.Flatten()]
    if s.batch_norm:
        out.append(L.BatchNormalization(0.99, 1e-3))
    for _ in range(s.hidden_layers):
        if s.batch_norm:
            out += [L.Dense(s.units, None, kernel_initializer=init, kernel_regularizer=reg),
                    L.BatchNormalization(0.99, 1e-3), L.Activation(act, s.activation_alpha)]
        else:
            out.append(L.Dense(s.units, act, kernel_initializer=init, kernel_regularizer=reg,
                               activation_alpha=s.activation_alpha))
    if s.alpha_dropout > 0:
        out.append(L.AlphaDropout(s.alpha_dropout))
    if s.dropout > 0:
        out.append(L.Dropout(s.dropout))
    out.append(L.Dense(s.classes, "softmax", kernel_regularizer=reg))
    return out


def _same(a, b):
    """Layer configs equal as the library sees them (floats as float32; no input_shape)."""
    def norm(v):
        if isinstance(v, float):
            return float(np.float32(v))
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items() if k != "input_shape"}
        if isinstance(v, list):
            return [norm(x) for x in v]
        return v
    return norm(a) == norm(b)


def net_spec(model):
    """The CLI's spec of the model's network, or None when sdn_net_build makes another one."""
    layers = [x for x in model.layers if not isinstance(x, L.Normalization)]
    dense = [x for x in layers if isinstance(x, L.Dense)]
    if not dense or dense[-1].activation != "softmax":
        return None
    s = _lib.sdn_net_spec()
    s.input_size, s.classes, s.hidden_layers = model._input_size, dense[-1].units, len(dense) - 1
    s.batch_norm = int(any(isinstance(x, L.BatchNormalization) for x in layers))
    reg = dense[-1].kernel_regularizer
    s.l1, s.l2 = (reg.l1, reg.l2) if reg else (0.0, 0.0)
    act, alpha, init = "elu", 0.0, "he_normal"
    if len(dense) > 1:
        h = dense[0]
        init = h.kernel_initializer.name
        acts = [x for x in layers if isinstance(x, L.Activation)]
        act, alpha = ((acts[0].activation, acts[0].alpha) if s.batch_norm and acts
                      else (h.activation, h.activation_alpha))
        s.units = h.units
    s.activation = lib.sdn_activation_from_name(act.encode())
    s.activation_alpha = alpha
    s.init = lib.sdn_init_from_name(init.encode())
    for x in layers:
        if isinstance(x, L.AlphaDropout):
            s.alpha_dropout = x.rate
        elif isinstance(x, L.Dropout):
            s.dropout = x.rate
    if s.activation >= 7 or s.init >= 8:  # softmax hidden, unknown: not a spec
        return None
    want = [x.get_config() for x in spec_layers(s)]
    return s if _same(want, [x.get_config() for x in layers]) else None


def save(model, path, include_optimizer):
    handle = model._need_built("save")
    meta = []
    store = ctypes.create_string_buffer(_lib.SDN_NET_META_STORE)
    spec = net_spec(model)
    opt = (model.optimizer or optimizers.RMSprop())._options()
    if spec is not None:
        entries = (_lib.sdn_st_meta * _lib.SDN_NET_META_COUNT)()
        n = lib.sdn_net_to_meta(byref(spec), byref(opt), model.seed, entries, store)
        meta += [(e.key, e.value) for e in entries[:n]]
    if not meta:
        meta += [(b"format", b"pt"), (b"simdnn.seed", str(model.seed).encode())]
    norm = model._normalization
    standardized = norm is not None and norm.is_adapted
    steps = lib.sdn_model_step(handle)
    epochs = len(model.history.epoch) if model.history is not None else 0
    meta += [(b"simdnn.preprocess", _PREPROCESS[standardized].encode()),
             (b"fit.step", str(steps).encode()), (b"simdnn.epoch", str(epochs).encode()),
             (b"simdnn.python.model", json.dumps(model.get_config()).encode())]
    meta_c = (_lib.sdn_st_meta * len(meta))(*[_lib.sdn_st_meta(k, v) for k, v in meta])
    extra = (_lib.sdn_st_tensor * 2)()
    if standardized:
        for i, (name, a) in enumerate(((b"preprocess.mean", norm.mean),
                                       (b"preprocess.std", norm.std))):
            extra[i].name, extra[i].rank = name, 1
            extra[i].shape[0] = a.size
            extra[i].data = a.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
    check(lib.sdn_model_save(handle, path.encode(), int(bool(include_optimizer)), extra,
                             2 if standardized else 0, meta_c, len(meta)))


def _optimizer(o):
    """The Python optimizer of C options (a CLI file's)."""
    clip = {"global_clipnorm": o.clip_norm} if o.clip_norm else {}
    if o.kind == optimizers.SGD_:
        return optimizers.SGD(o.learning_rate, o.momentum, bool(o.nesterov), **clip)
    if o.kind == optimizers.RMSPROP_:
        return optimizers.RMSprop(o.learning_rate, o.rho, epsilon=o.epsilon, **clip)
    cls = optimizers.Nadam if o.kind == optimizers.NADAM_ else optimizers.Adam
    return cls(o.learning_rate, o.beta1, o.beta2, o.epsilon, **clip)


def load(path, max_batch, sequential):
    """The model in path, built as `sequential` (models.Sequential, handed in so that this module
    does not import the one that imports it)."""
    fh = ctypes.c_void_p()
    check(lib.sdn_safetensors_open(path.encode(), byref(fh)))
    try:
        config = lib.sdn_safetensors_meta(fh, b"simdnn.python.model")
        if config:
            c = json.loads(config)
            model = sequential([L.from_config(x) for x in c["layers"]], name=c["name"],
                               seed=c["seed"])
            if c["optimizer"]:
                model.optimizer = optimizers.get(c["optimizer"])
                model.loss, model.metrics = c["loss"], c["metrics"]
            shape = tuple(c["input_shape"])
        else:  # a CLI file: its network spec
            s, o, seed = _lib.sdn_net_spec(), _lib.sdn_optimizer_options(), ctypes.c_uint64()
            check(lib.sdn_net_from_file(fh, byref(s), byref(o), byref(seed)))
            layers = spec_layers(s)
            if lib.sdn_safetensors_find(fh, b"preprocess.mean") >= 0:
                layers.insert(0, L.Normalization())
            model = sequential(layers, seed=seed.value)
            model.optimizer = _optimizer(o)
            model.loss, model.metrics = "sparse_categorical_crossentropy", ["accuracy"]
            shape = (s.input_size,)
        norm = model._normalization
        f = int(np.prod(shape, dtype=np.int64))
        if norm is not None:
            pre = _lib.sdn_preprocess()
            check(lib.sdn_checkpoint_read_preprocess(fh, f, byref(pre)))
            try:
                if pre.standardize:
                    norm.mean = np.ctypeslib.as_array(pre.mean, (f,)).copy()
                    norm.std = np.ctypeslib.as_array(pre.std, (f,)).copy()
            finally:
                lib.sdn_preprocess_free(byref(pre))
        model._build(shape, max_batch)
        names = [lib.sdn_safetensors_info(fh, i, None, None)
                 for i in range(lib.sdn_safetensors_count(fh))]
        with_optimizer = any(n.startswith(b"optimizer.") for n in names)
        check(lib.sdn_model_load(model._handle, fh, int(with_optimizer)))
        step = lib.sdn_safetensors_meta(fh, b"fit.step")
        if step and with_optimizer:
            lib.sdn_model_set_step(model._handle, int(step))
    finally:
        lib.sdn_safetensors_close(fh)
    return model
