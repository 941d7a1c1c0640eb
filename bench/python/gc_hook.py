# The cost of mprof's gc hook. Run under `mprof run`. In one process, with the hook and then
# without it (taken out of gc.callbacks for the measurement), best of 5 rounds each:
#  1. K generation-0 collections of a small young generation: microseconds per collection;
#  2. an allocation-heavy loop (lists that the collector must examine): its run time, and how
#     many collections it triggered.
# Prints: us_with us_without loop_s_with loop_s_without collections
import gc
import sys
import time

k = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
hooks = [cb for cb in gc.callbacks if getattr(cb, "__module__", "") == "mprof_trace"]
if not hooks:
    sys.exit("gc_hook.py: run me under mprof run")


def per_collection():
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(k):
            gc.collect(0)
        best = min(best, (time.perf_counter() - t0) / k * 1e6)
    return best


def churn():
    best = float("inf")
    runs = 0
    for _ in range(5):
        before = sum(s["collections"] for s in gc.get_stats())
        t0 = time.perf_counter()
        keep = []
        for i in range(300000):
            keep.append([i])
            if len(keep) > 5000:
                keep = []
        best = min(best, time.perf_counter() - t0)
        runs = sum(s["collections"] for s in gc.get_stats()) - before
    return best, runs


with_hook = per_collection()
loop_with, runs = churn()
for cb in hooks:
    gc.callbacks.remove(cb)
without = per_collection()
loop_without, _ = churn()
gc.callbacks.extend(hooks)
print("%.4f %.4f %.6f %.6f %d" % (with_hook, without, loop_with, loop_without, runs))
