# One decorated empty function called N times (argv[1], default 10000), after 1000 calls of
# warm-up; prints the timed loop's time per call in microseconds. Without a builtin `profile`
# (plain python) the decorator is the identity, which gives the baseline.
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
t0 = time.perf_counter()
for _ in range(n):
    empty()
t1 = time.perf_counter()
print("%.4f" % ((t1 - t0) / max(n, 1) * 1e6))
