"""gc_cost.py - what a CPython collection costs: time against the number of tracked objects.

The same measurements as examples/gc_cost.c, on the interpreter running this script:
for each N (default 1000 10000 100000 1000000) it keeps N small lists alive, then times
gc.collect() (the best of three) and gc.collect(0) right after; it prints
    tracked  full_ms  ns_per_object  examined  gen0_ms
where `tracked` is len(gc.get_objects()) (the interpreter's own objects count too). Then, for
each MiB value after --free (default 0 8 32), it times the collection of two cycles each holding
a numpy array of that size (skipped without numpy):
    garbage_mib  collect_ms  found  tracked  refcount_ms
where refcount_ms is the time reference counting takes to free two such arrays that are in no
cycle (`del` of their last reference), for comparison; both the best of three.
Usage: gc_cost.py [N...] [--free MIB...]
"""
import gc
import sys
import time


def timed(gen):
    t0 = time.perf_counter()
    found = gc.collect(gen)
    return time.perf_counter() - t0, found


def measure(n):
    gc.collect()
    keep = [[i] for i in range(n)]
    tracked = len(gc.get_objects())
    best = min(timed(2)[0] for _ in range(3))
    young = timed(0)[0]
    print("%d\t%.6f\t%.2f\t%d\t%.6f" % (tracked, best * 1e3, best * 1e9 / tracked, tracked,
                                          young * 1e3))
    sys.stdout.flush()
    del keep


def measure_free(mib, np):
    """Two cycles holding arrays of `mib` MiB, collected; the same arrays freed by `del`.
    Each the best of three."""
    size = int(mib * 1048576 / 8)
    best, rc_best, found, tracked = 1e9, 1e9, 0, 0
    for _ in range(3):
        gc.collect()
        for i in range(2):
            a = np.random.default_rng(i).integers(0, 101, size=size) if mib else i
            cycle = [a]
            cycle.append(cycle)
            del a, cycle
        tracked = len(gc.get_objects())
        dt, found = timed(2)
        best = min(best, dt)
        rc_dt = 0.0
        for i in range(2 if mib else 0):
            a = np.random.default_rng(i).integers(0, 101, size=size)
            t0 = time.perf_counter()
            del a
            rc_dt += time.perf_counter() - t0
        rc_best = min(rc_best, rc_dt)
    print("%g\t%.6f\t%d\t%d\t%.6f" % (mib, best * 1e3, found, tracked, rc_best * 1e3))
    sys.stdout.flush()


def main(argv):
    sizes, mibs, free = [], [], False
    for arg in argv:
        if arg == "--free":
            free = True
            continue
        try:
            (mibs if free else sizes).append(float(arg) if free else int(arg))
        except ValueError:
            sys.stderr.write("gc_cost.py: invalid %s '%s'\nUsage: gc_cost.py [N...] [--free MIB...]\n"
                             % ("MiB" if free else "number of objects", arg))
            return 2
    if not sizes and not (argv and argv[0] == "--free"):
        sizes = [1000, 10000, 100000, 1000000]
    if not free:
        mibs = [0, 8, 32]
    gc.disable()  # only the collections timed here run
    print("# tracked\tfull_ms\tns_per_object\texamined\tgen0_ms")
    for n in sizes:
        measure(n)
    print("# garbage_mib\tcollect_ms\tfound\ttracked\trefcount_ms")
    try:
        import numpy as np
    except ImportError:
        np = None
    for mib in mibs:
        if mib and np is None:
            continue
        measure_free(mib, np)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
