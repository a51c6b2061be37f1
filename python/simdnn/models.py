"""Sequential: Keras' model over one C model (sdn_model). Training is the library's own loop
(sdn_fit) on a view of the NumPy arrays; Python runs between epochs, and per batch only to draw the
progress bar and to see Ctrl-C. Inference calls are re-entrant in the library, so predict may run
from several Python threads at once on one model (ctypes releases the GIL during each call)."""
import ctypes
import math
import os
import signal
import threading
from ctypes import byref

import numpy as np

from . import _arrays, _lib, _saving, callbacks as cb, layers as L, optimizers
from ._lib import check, lib
from ._progress import Bar

_default_seed = 42  # the CLI's --seed default


def set_random_seed(seed):
    """The seed of models created afterwards without one (weights, dropout masks, shuffling)."""
    global _default_seed
    _default_seed = int(seed)


PREDICT_CHUNK = 500  # the CLI's predict chunk: MC Dropout masks depend on the calls' rows


class Sequential:
    """Sequential([Flatten(), Dense(100, activation="elu"), ..., Dense(10, "softmax")], seed=42).

    The C model is built once the input size is known (input_shape on the first layer, build(),
    or the first fit/predict); fit rebuilds it, keeping every weight, when a batch outgrows it."""

    def __init__(self, layers=None, name=None, seed=None):
        self.name = name or "sequential"
        self.seed = _default_seed if seed is None else int(seed)
        self.layers = []
        self.optimizer = None
        self.loss = None
        self.metrics = []
        self.history = None
        self.stop_training = False
        self._handle = None
        self._input_size = None
        self._input_shape = None
        self._max_batch = 0
        # building, rebuilding and freeing the C model, and making the preprocessing: two first
        # predicts from two threads build one model, not two
        self._lock = threading.RLock()
        self._pre = None  # sdn_preprocess for uint8 inputs
        self._fit_steps_done = 0
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------------------ layers, build

    def add(self, layer):
        if not isinstance(layer, L.Layer):
            raise TypeError(f"Sequential.add takes a simdnn layer, not {type(layer).__name__}")
        if isinstance(layer, L.Normalization) and self.layers:
            raise ValueError("Normalization must be the model's first layer (it is the "
                             "preprocessing of the pixels)")
        if self._handle is not None:
            raise ValueError("the model is built: add layers before fit, predict or build")
        counts = sum(type(x) is type(layer) for x in self.layers)
        if layer.name is None:
            base = {"BatchNormalization": "batch_normalization", "AlphaDropout": "alpha_dropout"
                    }.get(type(layer).__name__, type(layer).__name__.lower())
            layer.name = base if not counts else f"{base}_{counts}"
        layer._model = self
        self.layers.append(layer)

    @property
    def built(self):
        return self._handle is not None

    @property
    def _normalization(self):
        first = self.layers[0] if self.layers else None
        return first if isinstance(first, L.Normalization) else None

    @property
    def _classes(self):
        dense = [x for x in self.layers if isinstance(x, L.Dense)]
        return dense[-1].units if dense else 0

    def build(self, input_shape=None, max_batch=32):
        """Builds the C model for samples of input_shape ((None, 32, 32, 3) or (32, 32, 3))."""
        if input_shape is None:
            first = next((x.input_shape for x in self.layers if x.input_shape), None)
            if first is None:
                raise ValueError("build needs input_shape (or input_shape= on the first layer)")
            input_shape = first
        shape = tuple(input_shape)
        if shape and shape[0] is None:
            shape = shape[1:]
        self._build(shape, max(int(max_batch), self._max_batch))

    def _build(self, shape, max_batch, keep_optimizer=True):
        size = int(np.prod(shape, dtype=np.int64))
        if self._input_size is not None and size != self._input_size:
            raise ValueError(f"the model takes {self._input_size} features per sample "
                             f"(shape {self._input_shape}); got {size} (shape {shape})")
        if not any(isinstance(x, L.Flatten) for x in self.layers) and len(shape) > 1:
            raise ValueError(f"samples of shape {shape}: start the model with Flatten()")
        handle = lib.sdn_model_new(self.seed)
        if not handle:
            raise MemoryError("out of memory for the model")
        try:
            for layer in self.layers:
                layer._add(handle)
            opt = (self.optimizer or optimizers.RMSprop())._options()
            check(lib.sdn_model_compile(handle, size, max_batch, byref(opt)))
            if self._handle is not None:
                self._copy_state(self._handle, handle, keep_optimizer)
        except BaseException:
            lib.sdn_model_free(handle)
            raise
        with self._lock:
            old, self._handle = self._handle, handle
            self._input_size, self._input_shape, self._max_batch = size, tuple(shape), max_batch
        if old is not None:
            lib.sdn_model_free(old)

    @staticmethod
    def _copy_state(src, dst, keep_optimizer):
        """Every tensor of src into dst by name (same layers, another max batch or optimizer)."""
        have = {t.name: t for t in _tensors(src)}
        for t in _tensors(dst):
            s = have.get(t.name)
            if s is None or (t.role == _lib.SDN_TENSOR_OPTIMIZER and not keep_optimizer):
                continue
            ctypes.memmove(t.data, s.data, t.size * 4)
        if keep_optimizer:
            lib.sdn_model_set_step(dst, lib.sdn_model_step(src))

    def _ensure_built(self, x, max_batch=None):
        shape = x.shape[1:]
        with self._lock:
            if self._handle is None:
                self._build(shape, max_batch or 32)
            elif _arrays.features(x) != self._input_size:
                raise ValueError(f"the model takes {self._input_size} features per sample "
                                 f"(shape {self._input_shape}); x has {_arrays.features(x)} "
                                 f"(shape {shape})")
            elif max_batch and max_batch > self._max_batch:
                self._build(self._input_shape, max_batch)

    def _need_built(self, what):
        if self._handle is None:
            raise ValueError(f"{what}: the model is not built yet (call fit, predict or "
                             f"build(input_shape) first)")
        return self._handle

    def __del__(self):
        handle, self._handle = getattr(self, "_handle", None), None
        if handle is not None and lib is not None:
            lib.sdn_model_free(handle)
        self._free_pre()

    # ----------------------------------------------------------------------------- compile

    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        if loss not in ("sparse_categorical_crossentropy",):
            raise ValueError(f"loss {loss!r}: simdnn trains a softmax output with "
                             f"loss='sparse_categorical_crossentropy'")
        names = list(metrics or [])
        for m in names:
            if m not in ("accuracy", "acc", "sparse_categorical_accuracy"):
                raise ValueError(f"metric {m!r}: simdnn computes 'accuracy' only")
        if len(names) > 1:
            raise ValueError("simdnn computes one metric: accuracy")
        self.optimizer = optimizers.get(optimizer)
        self.loss, self.metrics = loss, names
        if self._handle is not None:  # Keras keeps the weights and starts a new optimizer
            self._build(self._input_shape, self._max_batch, keep_optimizer=False)
        elif any(x.input_shape for x in self.layers):
            self.build()

    @property
    def learning_rate(self):
        return float(lib.sdn_model_learning_rate(self._need_built("learning_rate")))

    @learning_rate.setter
    def learning_rate(self, lr):
        check(lib.sdn_model_set_learning_rate(self._need_built("learning_rate"), float(lr)))

    # --------------------------------------------------------------------------- the data

    def _free_pre(self):
        pre, self._pre = getattr(self, "_pre", None), None
        if pre is not None and lib is not None:
            lib.sdn_preprocess_free(byref(pre))

    def _preprocess_changed(self):
        self._free_pre()

    def _preprocess(self, x):
        """The sdn_preprocess for x: pixels/255 (standardized by a Normalization layer) for
        uint8, nothing for float32."""
        norm = self._normalization
        if x.dtype == np.float32:
            if norm is not None:
                raise ValueError("Normalization standardizes uint8 pixels inside the library; "
                                 "this model got float32 inputs, which are used as they are "
                                 "(standardize them in NumPy, or pass the uint8 pixels)")
            return None
        if norm is not None and not norm.is_adapted:
            raise ValueError("Normalization is not adapted: fit adapts it, or call adapt(x)")
        with self._lock:
            if self._pre is None:
                self._pre = self._make_preprocess(norm, _arrays.features(x))
        return self._pre

    @staticmethod
    def _make_preprocess(norm, f):
        """pixel/255, then standardized with the Normalization layer's statistics"""
        pre = _lib.sdn_preprocess()
        if norm is None:
            check(lib.sdn_preprocess_set(byref(pre), f, None, None))
        elif norm.mean.size != f:
            raise ValueError(f"Normalization holds {norm.mean.size} features, x has {f}")
        else:
            check(lib.sdn_preprocess_set(byref(pre), f, norm.mean.ctypes.data,
                                         norm.std.ctypes.data))
        return pre

    def _floats(self, x, start, n, out):
        """Rows start..start+n of x as the model's float input, into out (uint8 only)."""
        d = _arrays.dataset(x, None, 0)
        lib.sdn_preprocess_batch(byref(self._preprocess(x)), byref(d), None, start, n,
                                 out.ctypes.data)

    # --------------------------------------------------------------------------------- fit

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, initial_epoch=0):
        """Keras' fit on the library's loop. x: uint8 pixels or float32 values [n, ...], never
        copied; y: integer labels. The epoch's shuffle comes from the model's seed (the CLI's).
        Ctrl-C stops after the current batch (the best weights restored when asked), then
        raises KeyboardInterrupt; model.history holds the epochs done."""
        if self.optimizer is None:
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")
        if not shuffle:
            raise ValueError("simdnn always shuffles (a permutation per epoch from the seed)")
        batch_size = 32 if batch_size is None else int(batch_size)
        if batch_size < 1 or epochs < 1:
            raise ValueError(f"batch_size and epochs must be >= 1 (got {batch_size}, {epochs})")
        x = _arrays.as_input(x)
        classes = self._classes
        labels = _arrays.as_labels(y, x.shape[0], classes)
        self._ensure_built(x, batch_size)
        train = _arrays.dataset(x, labels, classes)
        val = _lib.sdn_dataset()
        if validation_data is not None:
            xv, yv = validation_data[:2]
            xv = _arrays.as_input(xv, "validation x")
            if xv.dtype != x.dtype or _arrays.features(xv) != _arrays.features(x):
                raise ValueError(f"validation data is {xv.dtype} {xv.shape[1:]}, training data "
                                 f"{x.dtype} {x.shape[1:]}: they must match")
            yv = _arrays.as_labels(yv, xv.shape[0], classes, "validation y")
            val = _arrays.dataset(xv, yv, classes)
        elif validation_split:
            check(lib.sdn_dataset_split(byref(train), float(validation_split), byref(val)))
        norm = self._normalization
        if norm is not None and not norm.is_adapted and x.dtype == np.uint8:
            norm.adapt(x[:train.n])  # the training part only, as the CLI
        pre = self._preprocess(x)
        run = _FitRun(self, callbacks, epochs, verbose, have_val=val.n > 0,
                      steps=math.ceil(train.n / batch_size))
        o = lib.sdn_fit_defaults()
        o.epochs, o.batch_size, o.seed = int(epochs), batch_size, self.seed
        o.restore_best = 0
        run.configure(o)
        st = _lib.sdn_fit_state()
        lib.sdn_fit_state_init(byref(st))
        st.epochs_done = int(initial_epoch)
        steps_before = lib.sdn_model_step(self._handle)
        try:
            with run.interrupts():
                run.begin()
                status = lib.sdn_fit(self._handle, byref(train), byref(val) if val.n else None,
                                     byref(pre) if pre is not None else None, byref(o), byref(st))
            check(status)
            run.end(st, lib.sdn_model_step(self._handle) - steps_before)
        finally:
            lib.sdn_fit_state_free(byref(st))
        run.raise_pending()
        return self.history

    # ------------------------------------------------------------------ evaluate, predict

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", return_dict=False):
        """Mean loss (and accuracy when compiled with it) in inference mode, over the whole of
        x in chunks of 1000 rows (sdn_evaluate_dataset: the CLI's test figures)."""
        x = _arrays.as_input(x)
        labels = _arrays.as_labels(y, x.shape[0], self._classes)
        self._ensure_built(x)
        d = _arrays.dataset(x, labels, self._classes)
        pre = self._preprocess(x)
        loss, acc = ctypes.c_double(), ctypes.c_double()
        check(lib.sdn_evaluate_dataset(self._handle, byref(d),
                                       byref(pre) if pre is not None else None, byref(loss),
                                       byref(acc)))
        logs = {"loss": loss.value}
        if self.metrics:
            logs[self.metrics[0]] = acc.value
        if verbose not in (0, False):
            print(f"{x.shape[0]} samples" + "".join(f" - {k}: {v:.4f}" for k, v in logs.items()))
        if return_dict:
            return logs
        return list(logs.values()) if self.metrics else logs["loss"]

    def predict(self, x, batch_size=None, verbose=0, mc_samples=0, return_std=False):
        """Class probabilities [n, classes] (float32) in inference mode. mc_samples > 0: MC
        Dropout, the mean over that many stochastic passes (dropout on, batch norm in inference
        mode), with return_std also their standard deviation. Rows go to the library in
        chunks of batch_size (default 500, as `simdnn predict`: each MC call draws fresh masks,
        so the same chunks give the CLI's bits). Safe from several threads at once."""
        x = _arrays.as_input(x)
        self._ensure_built(x)
        handle = self._handle
        n, k, f = x.shape[0], lib.sdn_model_output_size(handle), _arrays.features(x)
        chunk = int(batch_size or PREDICT_CHUNK)
        mc = int(mc_samples or 0)
        out = np.empty((n, k), np.float32)
        sd = np.empty((n, k), np.float32) if mc and return_std else None
        self._preprocess(x)  # refuses float32 rows for a model that standardizes pixels
        rows = np.empty((min(chunk, n), f), np.float32) if x.dtype == np.uint8 else None
        for at in range(0, n, chunk):
            m = min(chunk, n - at)
            if rows is not None:
                self._floats(x, at, m, rows)
                src = rows.ctypes.data
            else:
                src = x.ctypes.data + at * f * 4
            dst = out.ctypes.data + at * k * 4
            if mc:
                check(lib.sdn_model_predict_mc(handle, src, m, mc, dst,
                                               sd.ctypes.data + at * k * 4 if sd is not None
                                               else None))
            else:
                check(lib.sdn_model_predict(handle, src, m, dst))
        return (out, sd) if sd is not None else out

    # ------------------------------------------------------------------ weights and files

    def _weights_by_layer(self):
        """The model's parameter and state tensors grouped by C layer, in layer order, paired
        with the Python layers that have weights."""
        groups = {}
        for t in _tensors(self._need_built("weights")):
            if t.role != _lib.SDN_TENSOR_OPTIMIZER:
                groups.setdefault(t.name.split(".")[0], []).append(t)
        owners = [x for x in self.layers if isinstance(x, (L.Dense, L.BatchNormalization))]
        return list(zip(owners, groups.values()))

    def get_weights(self):
        """Copies of every weight, layer by layer, as Keras orders them: a dense layer's kernel
        [in, out] and bias, a batch norm's gamma, beta, moving mean and moving variance."""
        return [_array(t).copy() for _, ts in self._weights_by_layer() for t in ts]

    def set_weights(self, weights):
        targets = [t for _, ts in self._weights_by_layer() for t in ts]
        if len(weights) != len(targets):
            raise ValueError(f"set_weights: the model has {len(targets)} weight arrays, got "
                             f"{len(weights)}")
        for t, w in zip(targets, weights):
            _write(t, w)

    def _layer_weights(self, layer):
        for owner, ts in self._weights_by_layer():
            if owner is layer:
                return [_array(t).copy() for t in ts]
        return []

    def _set_layer_weights(self, layer, weights):
        for owner, ts in self._weights_by_layer():
            if owner is layer:
                if len(ts) != len(weights):
                    raise ValueError(f"{layer.name}: {len(ts)} weight arrays, got {len(weights)}")
                for t, w in zip(ts, weights):
                    _write(t, w)
                return
        raise ValueError(f"{layer.name} has no weights")

    def count_params(self):
        return int(lib.sdn_model_param_count(self._need_built("count_params")))

    def summary(self, print_fn=print):
        handle = self._need_built("summary")
        print_fn(_lib.capture(lambda f: lib.sdn_model_summary(handle, f)).rstrip("\n"))

    def get_config(self):
        return {"name": self.name, "seed": self.seed,
                "input_shape": list(self._input_shape) if self._input_shape else None,
                "layers": [x.get_config() for x in self.layers],
                "optimizer": self.optimizer.get_config() if self.optimizer else None,
                "loss": self.loss, "metrics": self.metrics}

    def save(self, filepath, include_optimizer=True):
        """One safetensors file (atomic write): the weights, batch-norm statistics, optimizer
        slots (include_optimizer), the Normalization statistics as preprocess.mean/std, this
        model's config, and, when the layers are a network the CLI builds, its spec: then
        `simdnn evaluate --model` and `simdnn predict` read the file too."""
        _saving.save(self, os.fspath(filepath), include_optimizer)


def load_model(filepath, max_batch=32):
    """A model saved by Sequential.save or trained by the CLI (simdnn train / exercise: a file,
    or a run folder for its model.safetensors)."""
    path = os.fspath(filepath)
    if os.path.isdir(path):
        path = os.path.join(path, "model.safetensors")
    return _saving.load(path, max_batch, Sequential)


def _tensors(handle):
    out = []
    for i in range(lib.sdn_model_tensor_count(handle)):
        t = _lib.sdn_tensor()
        check(lib.sdn_model_tensor(handle, i, byref(t)))
        out.append(_Tensor(t))
    return out


class _Tensor:
    def __init__(self, t):
        self.name = t.name.decode()
        self.role = t.role
        self.shape = tuple(t.shape[:t.rank])
        self.size = t.size
        self.data = t.data


def _array(t):
    return np.ctypeslib.as_array(t.data, t.shape)


def _write(t, w):
    w = np.asarray(w, dtype=np.float32)
    if w.shape != t.shape:
        raise ValueError(f"{t.name} has shape {t.shape}, got an array of shape {w.shape}")
    _array(t)[...] = w


class _FitRun:
    """One fit call's Python side: the callbacks, the progress bar, Ctrl-C, and the History,
    driven by the library's progress events."""

    def __init__(self, model, callbacks, epochs, verbose, have_val, steps):
        self.model, self.epochs, self.have_val, self.steps = model, epochs, have_val, steps
        verbose = 1 if verbose == "auto" else int(verbose)
        self.bar = Bar(verbose)
        self.interrupt = ctypes.c_int(0)
        self.sigint = False
        self.error = None
        self.schedule = None
        self.history = cb.History()
        self.history.set_params({"verbose": verbose, "epochs": epochs, "steps": steps})
        self.early = self.plateau = self.onecycle = None
        self.python = []  # callbacks run in Python
        for c in callbacks or []:
            if isinstance(c, cb.EarlyStopping):
                self.early = c
            elif isinstance(c, cb.ReduceLROnPlateau):
                self.plateau = c
            elif isinstance(c, cb.OneCycleScheduler):
                self.onecycle = c
            elif isinstance(c, cb.TerminateOnNaN):
                pass
            elif isinstance(c, cb.Callback):
                self.python.append(c)
            else:
                raise TypeError(f"callbacks take simdnn.callbacks objects, not "
                                f"{type(c).__name__}")
        self.batch_hooks = [c for c in self.python
                            if type(c).on_train_batch_end is not cb.Callback.on_train_batch_end]
        self.acc_key = model.metrics[0] if model.metrics else None
        self.lr_logged = False

    def _monitor(self):
        names = {c.monitor for c in (self.early, self.plateau) if c is not None}
        if len(names) > 1:
            raise ValueError(f"EarlyStopping and ReduceLROnPlateau monitor different metrics "
                             f"({', '.join(sorted(names))}): simdnn's loop watches one")
        name = names.pop() if names else "val_loss"
        if not name.startswith("val_") and self.have_val:
            raise ValueError(f"monitor {name!r} with validation data: simdnn watches "
                             f"val_{name} then (its loop monitors the validation metrics, and "
                             f"the training ones only without validation data)")
        return (_lib.SDN_MONITOR_VAL_ACCURACY if name.endswith("accuracy")
                else _lib.SDN_MONITOR_VAL_LOSS)

    def configure(self, o):
        o.monitor = self._monitor()
        if self.early is not None:
            # Keras stops at the first epoch without improvement with patience 0; the library's
            # patience 0 means never
            o.patience = max(self.early.patience, 1)
            o.min_delta = self.early.min_delta
            o.restore_best = int(self.early.restore_best_weights)
        sources = [s for s in (self.model.optimizer.schedule, self.plateau, self.onecycle) if s]
        if len(sources) > 1:
            raise ValueError("one learning-rate schedule at a time: the optimizer's "
                             "learning_rate schedule, ReduceLROnPlateau or OneCycleScheduler")
        if sources:
            self.schedule = self._schedule(sources[0])
            o.schedule = ctypes.pointer(self.schedule)
            self.lr_logged = True
        if any(isinstance(c, cb.LearningRateScheduler) for c in self.python):
            if sources:
                raise ValueError("LearningRateScheduler with another schedule: use one")
            self.lr_logged = True
        self.callback = _lib.ON_PROGRESS(self._on_progress)  # kept alive during sdn_fit
        o.on_progress = self.callback
        o.interrupt = ctypes.pointer(self.interrupt)

    def _schedule(self, source):
        lr = self.model.optimizer._options().learning_rate
        if isinstance(source, cb.ReduceLROnPlateau):
            s = lib.sdn_schedule_defaults(5, lr)  # SDN_SCHEDULE_PLATEAU
            s.factor, s.patience, s.min_delta = source.factor, source.patience, source.min_delta
            s.cooldown, s.min_lr = source.cooldown, source.min_lr
            check(lib.sdn_schedule_check(byref(s)))
            return s
        if isinstance(source, cb.OneCycleScheduler):
            source = optimizers.schedules.OneCycle(source.max_lr, source.total_steps)
        return source._c(self.steps, self.epochs)

    # -------------------------------------------------------------------- Ctrl-C

    def interrupts(self):
        run = self

        class _Scope:
            def __enter__(self):
                self.old = None
                if threading.current_thread() is threading.main_thread():
                    # The handler runs in the next progress callback, after the batch; fit sees
                    # the flag there and stops
                    def handler(signum, frame):
                        run.sigint = True
                        run.interrupt.value = 1
                    self.old = signal.signal(signal.SIGINT, handler)

            def __exit__(self, *exc):
                if self.old is not None:
                    signal.signal(signal.SIGINT, self.old)
        return _Scope()

    # -------------------------------------------------------------------- events

    def begin(self):
        m = self.model
        m.stop_training = False
        m.history = self.history
        self.history.set_model(m)
        for c in [self.early, self.plateau, self.onecycle] + self.python:
            if c is not None:
                c.set_model(m)
                c.set_params(self.history.params)
        for c in self.python:
            c.on_train_begin()

    def _on_progress(self, ctx, p):
        try:
            self._event(p.contents)
        except BaseException as e:  # raised again once the library's loop has stopped
            if self.error is None:
                self.error = e
            self.interrupt.value = 1

    def _event(self, p):
        m = self.model
        if p.event == _lib.SDN_FIT_EPOCH_BEGIN:
            for c in self.python:
                c.on_epoch_begin(p.epoch - 1)
            self.bar.epoch_begin(p.epoch, p.epochs)
        elif p.event == _lib.SDN_FIT_STEP:
            logs = {"loss": p.loss}
            if self.acc_key:
                logs[self.acc_key] = p.accuracy
            self.bar.step(p.step, p.steps, p.seconds, logs)
            for c in self.batch_hooks:
                c.on_train_batch_end(p.step - 1, logs)
        elif p.event == _lib.SDN_FIT_EPOCH_END:
            r = p.row.contents
            logs = {"loss": r.loss}
            if self.acc_key:
                logs[self.acc_key] = r.accuracy
            if p.have_val:
                logs["val_loss"] = r.val_loss
                if self.acc_key:
                    logs["val_" + self.acc_key] = r.val_accuracy
            if self.lr_logged:
                logs["learning_rate"] = r.learning_rate
            self.bar.epoch_end(p.epoch, p.epochs, p.steps, r.seconds, logs)
            self.history.on_epoch_end(p.epoch - 1, logs)
            self.history.seconds.append(r.seconds)
            for c in self.python:
                c.on_epoch_end(p.epoch - 1, dict(logs))
        elif p.event == _lib.SDN_FIT_PARTIAL:
            self.bar.partial()
        elif p.event in (_lib.SDN_FIT_MESSAGE, _lib.SDN_FIT_STOPPED):
            text = p.message.decode("utf-8", "replace")
            if not (p.event == _lib.SDN_FIT_STOPPED and p.stop == 3 and not self.sigint):
                self.bar.message(text)
        if m.stop_training:
            self.interrupt.value = 1

    def end(self, st, steps):
        h = self.history
        h.stop_reason = _lib.STOP_REASONS[st.stop]
        if st.stop == 3 and not self.sigint and self.error is None:
            h.stop_reason = "stop_training"  # a callback asked
        h.message = st.message.decode("utf-8", "replace")
        h.best_epoch = st.best_epoch
        h.train_seconds = st.train_seconds
        h.eval_seconds = st.eval_seconds
        h.samples_trained = st.samples_trained
        h.samples_per_second = (st.samples_trained / st.train_seconds if st.train_seconds > 0
                                else float("nan"))
        h.best_val_loss, h.best_val_accuracy = st.best_val_loss, st.best_val_accuracy
        if self.early is not None:
            self.early.best_epoch = st.best_epoch - 1
            if st.stop == 1:
                self.early.stopped_epoch = st.epochs_done - 1
        if st.stop == 2:
            import warnings
            warnings.warn(h.message, RuntimeWarning, stacklevel=3)
        for c in self.python:
            c.on_train_end()

    def raise_pending(self):
        if self.error is not None:
            raise self.error
        if self.sigint:
            raise KeyboardInterrupt(self.history.message or "training interrupted")
