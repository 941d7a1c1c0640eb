# The cost of mprof's gc hook per collection: K generation-0 collections with the hook, then
# K without it (taken out of gc.callbacks for the measurement), best of R rounds each; prints
# microseconds per collection: with, without.
import gc
import sys
import time

k = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
hooks = [cb for cb in gc.callbacks if getattr(cb, "__module__", "") == "mprof_trace"]
if not hooks:
    sys.exit("gc_hook.py: run me under mprof run")
junk = [[] for _ in range(1000)]     # something for each collection to look at


def per_collection():
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(k):
            gc.collect(0)
        best = min(best, (time.perf_counter() - t0) / k * 1e6)
    return best


with_hook = per_collection()
for cb in hooks:
    gc.callbacks.remove(cb)
without = per_collection()
gc.callbacks.extend(hooks)
print("%.4f %.4f" % (with_hook, without))
