"""Keras' optimizers with their defaults, over the library's (sdn_optimizer_options), and the
learning-rate schedules that can stand for learning_rate (sdn_schedule: the library applies the
rate of every step itself)."""
import ctypes

import numpy as np

from . import _lib
from ._lib import check, lib

SGD_, ADAM_, NADAM_, RMSPROP_ = 0, 1, 2, 3


class Optimizer:
    _kind = None

    def __init__(self, learning_rate, epsilon=None, global_clipnorm=None, clipnorm=None,
                 **unsupported):
        if unsupported:
            raise TypeError(f"{type(self).__name__}: simdnn does not support "
                            f"{', '.join(sorted(unsupported))}")
        if clipnorm is not None:
            raise ValueError("simdnn clips gradients by their global norm: use global_clipnorm")
        self.learning_rate = learning_rate
        self.epsilon = epsilon
        self.global_clipnorm = global_clipnorm

    @property
    def schedule(self):
        lr = self.learning_rate
        return lr if isinstance(lr, schedules.LearningRateSchedule) else None

    def _options(self):
        o = lib.sdn_optimizer_defaults(self._kind)
        s = self.schedule
        o.learning_rate = s.initial_learning_rate if s else float(self.learning_rate)
        if self.epsilon is not None:
            o.epsilon = self.epsilon
        if self.global_clipnorm:
            o.clip_norm = self.global_clipnorm
        self._set(o)
        return o

    def _set(self, o):
        pass

    def get_config(self):
        lr = self.learning_rate
        c = {"class_name": type(self).__name__,
             "learning_rate": lr.get_config() if isinstance(lr, schedules.LearningRateSchedule)
             else float(lr)}
        c.update(self._config())
        if self.epsilon is not None:
            c["epsilon"] = self.epsilon
        if self.global_clipnorm:
            c["global_clipnorm"] = self.global_clipnorm
        return c

    def _config(self):
        return {}

    def __repr__(self):
        return f"{type(self).__name__}({self.get_config()})"


class SGD(Optimizer):
    _kind = SGD_

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kw):
        super().__init__(learning_rate, **kw)
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def _set(self, o):
        o.momentum, o.nesterov = self.momentum, int(self.nesterov)

    def _config(self):
        return {"momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    _kind = ADAM_

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kw):
        super().__init__(learning_rate, epsilon, **kw)
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)

    def _set(self, o):
        o.beta1, o.beta2 = self.beta_1, self.beta_2

    def _config(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2}


class Nadam(Adam):
    """Dozat's momentum schedule, as Keras' Nadam."""
    _kind = NADAM_


class RMSprop(Optimizer):
    _kind = RMSPROP_

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, **kw):
        super().__init__(learning_rate, epsilon, **kw)
        if momentum:
            raise ValueError("RMSprop: simdnn's RMSprop has no momentum (momentum=0 only)")
        self.rho = float(rho)

    def _set(self, o):
        o.rho = self.rho

    def _config(self):
        return {"rho": self.rho}


_BY_NAME = {"sgd": SGD, "adam": Adam, "nadam": Nadam, "rmsprop": RMSprop}


def get(spec):
    if isinstance(spec, Optimizer):
        return spec
    if isinstance(spec, str) and spec.lower() in _BY_NAME:
        return _BY_NAME[spec.lower()]()
    if isinstance(spec, dict):
        c = dict(spec)
        cls = _BY_NAME[c.pop("class_name").lower()]
        if isinstance(c.get("learning_rate"), dict):
            c["learning_rate"] = schedules.from_config(c["learning_rate"])
        return cls(**c)
    raise ValueError(f"unknown optimizer {spec!r}; simdnn has: SGD, Adam, Nadam, RMSprop")


class schedules:
    """Keras' keras.optimizers.schedules, each an sdn_schedule the library applies per step."""

    class LearningRateSchedule:
        _kind = None
        initial_learning_rate = None

        def _c(self, steps_per_epoch, epochs):
            s = lib.sdn_schedule_defaults(self._kind, self.initial_learning_rate)
            self._fill(s, steps_per_epoch, epochs)
            check(lib.sdn_schedule_check(ctypes.byref(s)))
            return s

        def _fill(self, s, steps_per_epoch, epochs):
            pass

        def __call__(self, step, steps_per_epoch=1, epochs=1):
            """The rate of optimizer step `step` (0-based), as the library computes it."""
            s = self._c(steps_per_epoch, epochs)
            return float(lib.sdn_schedule_lr(ctypes.byref(s), int(step)))

        def get_config(self):
            c = {k: v for k, v in vars(self).items() if not k.startswith("_")}
            c["class_name"] = type(self).__name__
            return c

        def __repr__(self):
            c = self.get_config()
            name = c.pop("class_name")
            return f"{name}({', '.join(f'{k}={v!r}' for k, v in c.items())})"

    class ExponentialDecay(LearningRateSchedule):
        """initial_learning_rate · decay_rate^(step / decay_steps)."""
        _kind = 1

        def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
            self.initial_learning_rate = float(initial_learning_rate)
            self.decay_steps, self.decay_rate = float(decay_steps), float(decay_rate)
            self.staircase = bool(staircase)

        def _fill(self, s, steps_per_epoch, epochs):
            s.decay_steps, s.decay_rate, s.staircase = (self.decay_steps, self.decay_rate,
                                                        int(self.staircase))

    class InverseTimeDecay(ExponentialDecay):
        """initial_learning_rate / (1 + decay_rate · step / decay_steps)^power (Keras' at
        power 1; Géron's power scheduling otherwise)."""
        _kind = 3

        def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                     power=1.0):
            super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase)
            self.power = float(power)

        def _fill(self, s, steps_per_epoch, epochs):
            super()._fill(s, steps_per_epoch, epochs)
            s.power = self.power

    class PiecewiseConstantDecay(LearningRateSchedule):
        """values[i] while step <= boundaries[i], values[-1] after the last boundary."""
        _kind = 4

        def __init__(self, boundaries, values):
            self.boundaries = [int(b) for b in boundaries]
            self.values = [float(v) for v in values]
            if len(self.values) != len(self.boundaries) + 1:
                raise ValueError("PiecewiseConstantDecay: values needs one entry more than "
                                 "boundaries")
            if len(self.boundaries) > _lib.SDN_SCHEDULE_MAX_PIECES:
                raise ValueError(f"PiecewiseConstantDecay: at most "
                                 f"{_lib.SDN_SCHEDULE_MAX_PIECES} boundaries")
            self.initial_learning_rate = self.values[0]

        def get_config(self):
            return {"class_name": "PiecewiseConstantDecay", "boundaries": self.boundaries,
                    "values": self.values}

        def _fill(self, s, steps_per_epoch, epochs):
            s.n_boundaries = len(self.boundaries)
            for i, b in enumerate(self.boundaries):
                s.boundaries[i] = b
            for i, v in enumerate(self.values):
                s.values[i] = v

    class OneCycle(LearningRateSchedule):
        """Smith's 1cycle as Géron runs it: from max_lr/10 linearly up to max_lr at 45 % of the
        steps, down to max_lr/10 at 90 %, then to max_lr/10000. total_steps defaults to every
        step of the fit it is used in. The momentum moves the other way, max_momentum at the ends
        to min_momentum at the peak (SGD's momentum, Adam's and Nadam's beta_1; an SGD without
        momentum keeps none); max_momentum=0 and min_momentum=0 turn that off."""
        _kind = 2

        def __init__(self, max_lr, total_steps=None, max_momentum=0.95, min_momentum=0.85):
            self.max_lr = float(max_lr)
            self.total_steps = total_steps
            self.max_momentum = float(max_momentum)
            self.min_momentum = float(min_momentum)
            self.initial_learning_rate = self.max_lr / 10

        def get_config(self):
            return {"class_name": "OneCycle", "max_lr": self.max_lr,
                    "total_steps": self.total_steps, "max_momentum": self.max_momentum,
                    "min_momentum": self.min_momentum}

        def _fill(self, s, steps_per_epoch, epochs):
            s.max_momentum = self.max_momentum
            s.min_momentum = self.min_momentum
            s.max_lr = self.max_lr
            s.lr0 = float(np.float32(s.max_lr) / np.float32(10))  # the CLI's float division
            s.total_steps = int(self.total_steps or steps_per_epoch * epochs)

    @staticmethod
    def from_config(config):
        c = dict(config)
        return getattr(schedules, c.pop("class_name"))(**c)
