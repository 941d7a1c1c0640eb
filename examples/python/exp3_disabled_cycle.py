"""exp3_disabled_cycle.py - the tutorial's gc_cr.py: a cycle with the collector off.

The list holds the array and itself: after compute() returns its count never reaches zero,
and only the (disabled) cycle collector could free it. Memory climbs by one array per call.
"""
import gc
import time

import numpy as np

from experiment import options, print_call, profile_decorator

profile = profile_decorator()
o = options("gc disabled, with a cycle: memory climbs with every call")
gc.disable()


@profile
def compute(call):
    a = np.random.default_rng(call).integers(0, 101, size=o.elements)
    cycle = [a]
    cycle.append(cycle)
    m = a.mean()
    time.sleep(o.hold)
    return m


time.sleep(o.hold / 4)
for call in range(1, o.calls + 1):
    print_call(call, compute(call))
time.sleep(o.hold / 4)
