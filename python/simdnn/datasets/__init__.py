"""Keras' datasets as the library reads them: the files never leave C's buffers (the arrays are
views of them), so loading CIFAR-10 costs its 180 MB once."""
from . import cifar10, fashion_mnist

__all__ = ["cifar10", "fashion_mnist"]
