#!/usr/bin/env python3
"""measure.py RUNS CMD...: runs CMD RUNS times; prints the median wall time (s) and the
largest max-RSS (KiB) of those runs, as "WALL RSS". Output of CMD is discarded."""
import os
import subprocess
import sys
import time

runs = int(sys.argv[1])
cmd = sys.argv[2:]
walls, rss = [], 0
for _ in range(runs):
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    walls.append(time.perf_counter() - t)
    if os.waitstatus_to_exitcode(status) != 0:
        print("failed: " + " ".join(cmd), file=sys.stderr)
        sys.exit(1)
    rss = max(rss, ru.ru_maxrss)
walls.sort()
print("%.6f %d" % (walls[len(walls) // 2], rss))
