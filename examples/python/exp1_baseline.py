"""exp1_baseline.py - the tutorial's baseline.py: three bumps, each freed by refcounting.

When compute() returns, its local `a` is the array's last reference: reference counting frees
the array right there, inside the bracket.
"""
import time

import numpy as np

from experiment import options, print_call, profile_decorator

profile = profile_decorator()
o = options("baseline: each call's array is freed by reference counting")


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
