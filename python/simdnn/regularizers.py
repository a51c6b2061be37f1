"""Keras' kernel regularizers: loss += l1·Σ|w| + l2·Σw² over a dense layer's kernel."""


class L1L2:
    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = float(l1), float(l2)
        if not (self.l1 >= 0 and self.l2 >= 0):
            raise ValueError(f"regularization factors must be >= 0 (got l1={l1}, l2={l2})")

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}

    def __repr__(self):
        return f"L1L2(l1={self.l1!r}, l2={self.l2!r})"


def l1(l1=0.01):
    return L1L2(l1=l1)


def l2(l2=0.01):
    return L1L2(l2=l2)


def l1_l2(l1=0.01, l2=0.01):
    return L1L2(l1, l2)


L1 = l1
L2 = l2


def get(spec):
    if spec is None or isinstance(spec, L1L2):
        return spec
    if isinstance(spec, dict):
        return L1L2(**spec)
    if spec in ("l1", "l2", "l1_l2"):
        return {"l1": l1, "l2": l2, "l1_l2": l1_l2}[spec]()
    raise ValueError(f"unknown regularizer {spec!r}: use simdnn.regularizers.l1/l2/l1_l2")
