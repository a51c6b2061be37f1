"""Keras' kernel and bias initializers, by name or as objects (the model's seed draws them)."""


class Initializer:
    name = None
    value = 0.0

    def get_config(self):
        return {"name": self.name, "value": self.value}

    def __repr__(self):
        return f"{type(self).__name__}()"


def _kind(cls_name, c_name):
    return type(cls_name, (Initializer,), {"name": c_name, "__doc__": f"Keras' {cls_name}."})


Zeros = _kind("Zeros", "zeros")
HeNormal = _kind("HeNormal", "he_normal")
HeUniform = _kind("HeUniform", "he_uniform")
LecunNormal = _kind("LecunNormal", "lecun_normal")
LecunUniform = _kind("LecunUniform", "lecun_uniform")
GlorotNormal = _kind("GlorotNormal", "glorot_normal")
GlorotUniform = _kind("GlorotUniform", "glorot_uniform")


class Constant(Initializer):
    """Every weight the same value (the "equal initial weights" experiment)."""
    name = "constant"

    def __init__(self, value=0.0):
        self.value = float(value)

    def __repr__(self):
        return f"Constant({self.value!r})"


class Ones(Constant):
    def __init__(self):
        super().__init__(1.0)


_NAMES = {"zeros": "zeros", "ones": "ones", "he_normal": "he_normal", "he_uniform": "he_uniform",
          "lecun_normal": "lecun_normal", "lecun_uniform": "lecun_uniform",
          "glorot_normal": "glorot_normal", "glorot_uniform": "glorot_uniform",
          "constant": "constant"}


def get(spec):
    """An Initializer from a name ("he_normal", "HeNormal"), an object, or a config dict."""
    if isinstance(spec, Initializer):
        return spec
    if isinstance(spec, dict):
        return Constant(spec["value"]) if spec["name"] == "constant" else get(spec["name"])
    if isinstance(spec, str):
        key = spec.lower()
        for cls in (Zeros, HeNormal, HeUniform, LecunNormal, LecunUniform, GlorotNormal,
                    GlorotUniform, Constant, Ones):
            if key == cls.__name__.lower():
                key = cls.name if cls is not Ones else "ones"
        if key == "ones":
            return Ones()
        if key == "constant":
            return Constant()
        for cls in (Zeros, HeNormal, HeUniform, LecunNormal, LecunUniform, GlorotNormal,
                    GlorotUniform):
            if key == cls.name:
                return cls()
    raise ValueError(f"unknown initializer {spec!r}; simdnn has: {', '.join(sorted(_NAMES))}")
