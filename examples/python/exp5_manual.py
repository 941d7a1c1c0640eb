"""exp5_manual.py - the tutorial's manual_gc_cr.py: gc.collect() before the third call.

The first two calls leave a cycle each; the collection finds both unreachable and frees
them, with the arrays they hold: memory drops back to the level before the first call. Its
time is printed (and mprof records it as a GC line).
"""
import gc
import time

import numpy as np

from experiment import collect, options, print_call, profile_decorator

profile = profile_decorator()
o = options("a cycle, and a manual gc.collect() before the third call")
gc.collect()  # start from a count of 0, whatever the imports allocated


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
    if call == 3:
        collect()
        time.sleep(o.hold / 4)
    print_call(call, compute(call))
time.sleep(o.hold / 4)
