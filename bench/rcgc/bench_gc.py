"""CPython side of bench/rcgc: the same cases and output lines as bench_rcgc.c.

Usage: python3 bench_gc.py CASE N
"""
import gc
import os
import random
import sys
import time


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def full(expect):
    t0 = time.perf_counter_ns()
    got = gc.collect()
    dt = time.perf_counter_ns() - t0
    if expect is not None and got < expect:
        sys.exit("bench_gc.py: collected %d, expected %d" % (got, expect))
    return dt


class Node:
    """A user-defined container type: its garbage takes CPython's general path too."""


def pairs(n, hold=None):
    for _ in range(n // 2):
        a = []
        b = [a]
        a.append(b)
        if hold is not None:
            hold.append(a)


def main():
    case, n = sys.argv[1], int(sys.argv[2])
    gc.collect()
    gc.disable()
    if case == "pairs":
        pairs(n)
        print("pairs %d %.1f ns/obj" % (n, full(n) / n))
    elif case == "ring100":
        for _ in range(n // 100):
            first = prev = []
            for _ in range(99):
                l = []
                prev.append(l)
                prev = l
            prev.append(first)
        del first, prev, l
        print("ring100 %d %.1f ns/obj" % (n, full(n) / n))
    elif case == "randpairs":
        o = [[] for _ in range(n)]
        perm = list(range(n))
        random.Random(1).shuffle(perm)
        for i in range(0, n - 1, 2):
            o[perm[i]].append(o[perm[i + 1]])
            o[perm[i + 1]].append(o[perm[i]])
        del o, perm
        print("randpairs %d %.1f ns/obj" % (n, full(n) / n))
    elif case == "alive":
        hold = []
        pairs(n, hold)
        a, b = full(None), full(None)
        print("alive %d %.1f ns/obj %.1f" % (n, a / n, b / n))
    elif case == "young":
        hold = [[] for _ in range(n)]
        gc.collect()
        gc.collect()
        best = min(_young() for _ in range(9))
        print("young %d %.3f us" % (n, best / 1e3))
    elif case == "usergc":
        for _ in range(n // 2):
            a = Node()
            b = Node()
            a.o = b
            b.o = a
        del a, b
        print("usergc %d %.1f ns/obj" % (n, full(n) / n))
    elif case == "young2000":
        hold = [[] for _ in range(n)]  # noqa: F841 (the old objects)
        gc.collect()
        gc.collect()
        best = None
        for _ in range(9):
            young = [[] for _ in range(1999)]
            t0 = time.perf_counter_ns()
            gc.collect(0)
            dt = time.perf_counter_ns() - t0
            best = dt if best is None or dt < best else best
            del young
        print("young2000 %d %.2f ns/obj" % (n, best / 2000))
    elif case == "alloc1":
        r = range(n)
        t0 = time.perf_counter_ns()
        for _ in r:
            x = [None]
        dt = time.perf_counter_ns() - t0
        t0 = time.perf_counter_ns()
        for _ in r:
            x = None  # noqa: F841 (the loop alone, to subtract)
        dt -= time.perf_counter_ns() - t0
        print("alloc1 %d %.1f ns/obj" % (n, dt / n))
    elif case in ("autogc", "autogc_off"):
        gc.set_threshold(2000, 10, 10)  # rcgc's (CPython 3.13's), not 3.11's 700
        spent = [0, 0]

        def cb(phase, info):
            if phase == "start":
                spent[1] = time.perf_counter_ns()
            else:
                spent[0] += time.perf_counter_ns() - spent[1]

        gc.callbacks.append(cb)
        if case == "autogc":
            gc.enable()
        hold = []
        t0 = time.perf_counter_ns()
        pairs(n, hold)
        dt = time.perf_counter_ns() - t0
        st = gc.get_stats()
        gc.disable()
        print("%s %d %.1f ns/obj %.1f %d/%d/%d" % (case, n, spent[0] / n, dt / n,
              st[0]["collections"], st[1]["collections"], st[2]["collections"]))
    elif case == "acyclic":
        hold = [[None] for _ in range(n)]
        t0 = time.perf_counter_ns()
        del hold
        print("acyclic %d %.1f ns/obj" % (n, (time.perf_counter_ns() - t0) / n))
    elif case == "alloc":
        t0 = time.perf_counter_ns()
        for _ in range(n):
            []
        print("alloc %d %.1f ns/obj" % (n, (time.perf_counter_ns() - t0) / n))
    elif case in ("mem_empty", "mem_one"):
        hold = [None] * n
        r0 = rss()
        if case == "mem_one":
            for i in range(n):
                hold[i] = [None]
        else:
            for i in range(n):
                hold[i] = []
        r1 = rss()
        print("%s %d %.1f bytes %.1f" % (case, n, (r1 - r0) / n,
              sys.getsizeof([]) + (8 if case == "mem_one" else 0)))
    else:
        sys.exit("unknown case")


def _young():
    young = []  # noqa: F841 (one young object, as in the C benchmark)
    t0 = time.perf_counter_ns()
    gc.collect(0)
    return time.perf_counter_ns() - t0


main()
