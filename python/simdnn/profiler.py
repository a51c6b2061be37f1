"""The kernel profiler (include/simdnn_profile.h) as a context manager:

    with simdnn.profile("prof", wait=2, warmup=1, active=10):
        model.fit(x, y, epochs=1)

records every kernel call of the steps the schedule keeps (a training step, or one batch of
predict / evaluate) and, when a folder is named, writes profile.md, profile.json, profile.csv and
trace.json there at the end of the block. Results stay bitwise the same."""
import contextlib
import os
from ctypes import byref

from ._lib import check, lib


class Profile:
    def __init__(self, dir):
        self.dir = dir

    @property
    def flops(self):
        """FLOPs of every kernel call recorded so far in kept steps."""
        return float(lib.sdn_profile_recorded_flops())


@contextlib.contextmanager
def profile(dir=None, wait=2, warmup=1, active=10):
    o = lib.sdn_profile_defaults()
    path = os.fsencode(dir) if dir is not None else None  # alive until sdn_profile_end
    o.dir, o.wait, o.warmup, o.active = path, int(wait), int(warmup), int(active)
    check(lib.sdn_profile_begin(byref(o)))
    p = Profile(dir)
    try:
        yield p
    finally:
        p.recorded_flops = p.flops
        check(lib.sdn_profile_end())


@contextlib.contextmanager
def scope(name):
    """A named span of your own in the trace around the kernels it encloses."""
    lib.sdn_profile_scope_begin(str(name).encode())
    try:
        yield
    finally:
        lib.sdn_profile_scope_end()
