# Why memory_profiler loses its brackets after gc.disable(), in a few lines.
# Usage: brackets_repro.py FILE enabled|disabled cycle|nocycle
import gc
import sys

path, collector, cycle = sys.argv[1:4]
if collector == "disabled":
    gc.disable()
out = open(path, "w")  # as memory_profiler's out_file: a module global, never closed
out.write("FUNC __main__.compute 31.0 1.0 31.3 2.0 0\n")  # sits in the file's buffer
if cycle == "cycle":
    def compute():  # compute.__globals__ is this module's dict, which holds compute: a cycle
        pass
