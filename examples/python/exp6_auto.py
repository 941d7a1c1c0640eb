"""exp6_auto.py - not in the tutorial: the collector runs by itself.

Experiment 4's cycles in a program that also keeps some small results after each call's big
work (a list per result, appended to a history). About half a threshold of them per call
pushes gc.get_count()[0] over gc.get_threshold()[0] every second call or so, and the
collector runs by itself and frees the cycles of the calls before. A gc.callbacks entry
prints each automatic collection; mprof records each one as a GC line.
"""
import gc
import sys
import time

import numpy as np

from experiment import options, print_call, profile_decorator

profile = profile_decorator()
o = options("automatic collection: small allocations cross the threshold", calls=6)
current_call = 0
started = {}


def on_collection(phase, info):
    if phase == "start":
        started["t"] = time.perf_counter()
        return
    dt = time.perf_counter() - started.get("t", time.perf_counter())
    print("automatic collection during call %d: generation %d, %d unreachable objects, "
          "%.6f ms, -1 objects examined"
          % (current_call, info["generation"], info["collected"] + info["uncollectable"],
             dt * 1e3))
    sys.stdout.flush()


threshold = gc.get_threshold()
per_call = threshold[0] // 2 + 1
gc.collect()  # start from a count of 0, whatever the imports allocated
print("gc.isenabled() %d, gc.get_threshold() (%d, %d, %d), %d results kept per call"
      % ((gc.isenabled(),) + threshold + (per_call,)))
history = []


@profile
def compute(call):
    a = np.random.default_rng(call).integers(0, 101, size=o.elements)
    cycle = [a]
    cycle.append(cycle)
    m = a.mean()
    time.sleep(o.hold)
    del a, cycle  # the cycle is garbage from here on
    for i in range(per_call):
        history.append([i])
    return m


gc.callbacks.append(on_collection)
time.sleep(o.hold / 4)
for call in range(1, o.calls + 1):
    current_call = call
    print_call(call, compute(call))
gc.callbacks.remove(on_collection)
time.sleep(o.hold / 4)
