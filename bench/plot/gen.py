#!/usr/bin/env python3
"""gen.py N FILE: a synthetic profile as memory_profiler's benchmark made them (reference
section 4a): CMDLINE, then N MEM lines 0.1 s apart, a random walk between 45 and 90 MiB."""
import random
import sys

n, path = int(sys.argv[1]), sys.argv[2]
random.seed(1)
m, t0 = 60.0, 1795545560.0
with open(path, "w") as f:
    f.write("CMDLINE python3 synthetic.py\n")
    lines = []
    for i in range(n):
        m = min(max(m + random.uniform(-1, 1), 45), 90)
        lines.append("MEM %.6f %.4f\n" % (m, t0 + i * 0.1))
        if len(lines) == 100000:
            f.write("".join(lines))
            lines = []
    f.write("".join(lines))
