"""The kernel profiler (include/simdnn_profile.h) as a context manager:

    with simdnn.profile("prof", wait=2, warmup=1, active=10):
        model.fit(x, y, epochs=1)

records every kernel call of the steps the schedule keeps (a training step, or one batch of
predict / evaluate); `Profile.flops` sums them. Results stay bitwise the same. The reports
(profile.md, .json, .csv, .svg, .html, trace.json) are written by the profiler above the library
(the `simdnn profile` command, docs/profile/), not by libsimdnn, so a folder cannot be named here."""
import contextlib
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
    if dir is not None:
        raise ValueError("simdnn.profile: the reports are written by the simdnn tool "
                         "(simdnn profile train ...), not by the library; leave dir out")
    o = lib.sdn_profile_defaults()
    o.wait, o.warmup, o.active = int(wait), int(warmup), int(active)
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
