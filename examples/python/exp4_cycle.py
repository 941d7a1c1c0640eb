"""exp4_cycle.py - the tutorial's cr_only.py: a cycle with the collector ON, still climbing.

The collector runs automatically only when gc.get_count()[0] (container allocations minus
deallocations since the last collection) exceeds gc.get_threshold()[0]. One gc.collect() after
the imports starts the count at 0; then each call allocates a handful of containers, far below
the threshold, and no collection runs while the cycles pile up.
"""
import gc
import time

import numpy as np

from experiment import options, print_call, profile_decorator

profile = profile_decorator()
o = options("a cycle with gc enabled: still climbs, the threshold is never reached")
gc.collect()  # start from a count of 0, whatever the imports allocated
print("gc.isenabled() %d, gc.get_threshold() %s" % (gc.isenabled(), gc.get_threshold()))


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
