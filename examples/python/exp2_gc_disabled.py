"""exp2_gc_disabled.py - the tutorial's gc.py: the collector off, the same three bumps.

gc.disable() stops only the automatic cycle collector; reference counting still frees each
array when compute() returns. (Under memory_profiler's mprof this script also loses its
brackets: see docs/experiments.md and the demo's report.)
"""
import gc
import time

import numpy as np

from experiment import options, print_call, profile_decorator

profile = profile_decorator()
o = options("gc disabled: refcounting still frees each array")
gc.disable()


@profile
def compute(call):
    a = np.random.default_rng(call).integers(0, 101, size=o.elements)
    m = a.mean()
    time.sleep(o.hold)
    return m


time.sleep(o.hold / 4)
for call in range(1, o.calls + 1):
    print_call(call, compute(call))
time.sleep(o.hold / 4)
