"""Keras' layers as the library builds them: each one adds itself to a C model (sdn_model_add_*).
A layer holds its options only; the weights live in the model's flat buffers."""
import ctypes

import numpy as np

from . import _arrays, _lib, initializers, regularizers
from ._lib import check, lib

_ACTIVATIONS = ("linear", "elu", "selu", "relu", "leaky_relu", "tanh", "sigmoid", "softmax")


def _activation(name):
    name = "linear" if name is None else str(name).lower()
    if name not in _ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; simdnn has: {', '.join(_ACTIVATIONS)}")
    return name


class Layer:
    """A layer: its options (get_config) and how it adds itself to a C model."""

    def __init__(self, input_shape=None, name=None):
        self.input_shape = tuple(input_shape) if input_shape is not None else None
        self.name = name
        self._model = None  # set by Sequential: get_weights goes through it

    def get_config(self):
        c = {"class_name": type(self).__name__}
        if self.input_shape is not None:
            c["input_shape"] = list(self.input_shape)
        return c

    def _add(self, handle):
        raise NotImplementedError

    def _tensor_prefix(self):
        return None  # the C tensors' layer name ("dense_0"), set by Sequential

    def get_weights(self):
        if self._model is None:
            return []
        return self._model._layer_weights(self)

    def set_weights(self, weights):
        if self._model is None:
            raise ValueError(f"{self.name}: not in a built model")
        self._model._set_layer_weights(self, weights)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "class_name")
        return f"{type(self).__name__}({args})"


class Flatten(Layer):
    """[n, ...] → [n, features]: the input's layout is already flat in memory."""

    def _add(self, handle):
        check(lib.sdn_model_add_flatten(handle))


class Dense(Layer):
    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, activation_alpha=0.0, input_shape=None, name=None):
        super().__init__(input_shape, name)
        if int(units) != units or units < 1:
            raise ValueError(f"Dense: units must be a positive integer (got {units!r})")
        self.units = int(units)
        # an activation layer (LeakyReLU(0.2), ELU(0.5)) gives its alpha; 0: the default
        self.activation_alpha = float(activation_alpha)
        if isinstance(activation, Activation):
            activation, self.activation_alpha = activation.activation, activation.alpha
        self.activation = _activation(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)

    def get_config(self):
        c = super().get_config()
        c.update(units=self.units, activation=self.activation,
                 activation_alpha=self.activation_alpha, use_bias=self.use_bias,
                 kernel_initializer=self.kernel_initializer.get_config(),
                 bias_initializer=self.bias_initializer.get_config(),
                 kernel_regularizer=(self.kernel_regularizer.get_config()
                                     if self.kernel_regularizer else None))
        return c

    def _add(self, handle):
        d = lib.sdn_dense_defaults(self.units)
        d.activation = lib.sdn_activation_from_name(self.activation.encode())
        d.activation_alpha = self.activation_alpha
        for field, init in (("kernel_init", self.kernel_initializer),
                            ("bias_init", self.bias_initializer)):
            getattr(d, field).kind = lib.sdn_init_from_name(init.name.encode())
            getattr(d, field).value = init.value
        d.use_bias = int(self.use_bias)
        if self.kernel_regularizer:
            d.l1, d.l2 = self.kernel_regularizer.l1, self.kernel_regularizer.l2
        check(lib.sdn_model_add_dense(handle, ctypes.byref(d)))


class BatchNormalization(Layer):
    """Keras semantics: batch statistics in training, moving statistics in inference."""

    def __init__(self, momentum=0.99, epsilon=0.001, input_shape=None, name=None):
        super().__init__(input_shape, name)
        self.momentum, self.epsilon = float(momentum), float(epsilon)

    def get_config(self):
        c = super().get_config()
        c.update(momentum=self.momentum, epsilon=self.epsilon)
        return c

    def _add(self, handle):
        check(lib.sdn_model_add_batch_norm(handle, self.momentum, self.epsilon))


class Activation(Layer):
    def __init__(self, activation, alpha=0.0, input_shape=None, name=None):
        super().__init__(input_shape, name)
        self.activation = _activation(activation)
        self.alpha = float(alpha)

    def get_config(self):
        c = super().get_config()
        c.update(activation=self.activation, alpha=self.alpha)
        return c

    def _add(self, handle):
        act = lib.sdn_activation_from_name(self.activation.encode())
        check(lib.sdn_model_add_activation(handle, act, self.alpha))


def LeakyReLU(alpha=0.3, name=None):
    """Keras 2's LeakyReLU layer (negative slope 0.3 unless given)."""
    return Activation("leaky_relu", alpha, name=name)


def ELU(alpha=1.0, name=None):
    return Activation("elu", alpha, name=name)


class Dropout(Layer):
    def __init__(self, rate, input_shape=None, name=None):
        super().__init__(input_shape, name)
        self.rate = float(rate)

    def get_config(self):
        c = super().get_config()
        c.update(rate=self.rate)
        return c

    def _add(self, handle):
        check(lib.sdn_model_add_dropout(handle, self.rate))


class AlphaDropout(Dropout):
    """Dropout that keeps SELU's mean and variance (Klambauer et al.)."""

    def _add(self, handle):
        check(lib.sdn_model_add_alpha_dropout(handle, self.rate))


class Normalization(Layer):
    """Per-feature standardization of uint8 pixels: x/255, then (x − mean)/std with the mean and
    std of x/255 over the training data, as the CLI's --standardize (the statistics are stored in
    saved models as preprocess.mean / preprocess.std). It must be the first layer; it is not a
    layer of the C model but the preprocessing the library applies when it makes each batch.
    Unless adapt() was called, the first fit adapts it to its training part (after the
    validation split), as the CLI does. float32 inputs are used as they are: standardize them
    in NumPy instead."""

    def __init__(self, mean=None, std=None, input_shape=None, name=None):
        super().__init__(input_shape, name)
        self.mean = None if mean is None else np.ascontiguousarray(mean, np.float32).ravel()
        self.std = None if std is None else np.ascontiguousarray(std, np.float32).ravel()
        if (self.mean is None) != (self.std is None):
            raise ValueError("Normalization: give both mean and std, or neither")

    @property
    def is_adapted(self):
        return self.mean is not None

    def adapt(self, x):
        """Statistics of x/255 per feature over the samples of uint8 x (sdn_preprocess_fit)."""
        x = _arrays.as_input(x)
        if x.dtype != np.uint8:
            raise TypeError("Normalization.adapt: standardization is of uint8 pixels; float32 "
                            "inputs are used as they are (standardize them in NumPy)")
        d = _arrays.dataset(x, None, 0)
        pre = _lib.sdn_preprocess()
        check(lib.sdn_preprocess_fit(ctypes.byref(pre), ctypes.byref(d), 1))
        try:
            f = _arrays.features(x)
            self.mean = np.ctypeslib.as_array(pre.mean, (f,)).copy()
            self.std = np.ctypeslib.as_array(pre.std, (f,)).copy()
        finally:
            lib.sdn_preprocess_free(ctypes.byref(pre))
        if self._model is not None:
            self._model._preprocess_changed()

    def get_config(self):
        return super().get_config()  # the statistics travel as tensors, not in the config

    def _add(self, handle):
        pass


_CLASSES = {c.__name__: c for c in (Flatten, Dense, BatchNormalization, Activation, Dropout,
                                    AlphaDropout, Normalization)}


def from_config(config):
    config = dict(config)
    cls = _CLASSES[config.pop("class_name")]
    return cls(**config)
