# One decorated empty function called N times (argv[1], default 10000) after 1000 of warm-up;
# prints "wall cpu" per call in microseconds (wall time, and this thread's CPU time). Without
# a builtin `profile` (plain python) the decorator is the identity: the baseline.
import sys
import time

try:
    profile
except NameError:
    def profile(f):
        return f


@profile
def empty():
    pass


n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
for _ in range(1000 if n else 0):
    empty()
w, c = time.perf_counter(), time.thread_time()
for _ in range(n):
    empty()
w1, c1 = time.perf_counter(), time.thread_time()
print("%.4f %.4f" % ((w1 - w) / max(n, 1) * 1e6, (c1 - c) / max(n, 1) * 1e6))
