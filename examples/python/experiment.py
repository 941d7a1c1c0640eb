"""experiment.py - what the tutorial's Python experiments share: options, @profile outside
mprof, and the lines they print (docs/experiments.md; the demo's report reads them).

Each experiment calls a compute() of its own a few times: it fills a large numpy array of
random integers, takes its mean, holds it for a while and returns, decorated with @profile.
Under `mprof run` (ours or memory_profiler's) `profile` is a builtin; run by hand, the scripts
get a decorator that does nothing.
"""
import argparse
import builtins
import gc
import os
import sys
import time


def _identity(func):
    return func


def profile_decorator():
    """The `profile` builtin that mprof injects, or a no-op decorator."""
    return builtins.__dict__.get("profile", _identity)


def _env_number(name, default, kind):
    value = os.environ.get(name, "")
    if not value:
        return default
    try:
        return kind(value)
    except ValueError:
        sys.exit("%s: invalid %s '%s'" % (os.path.basename(sys.argv[0]), name, value))


def options(title, calls=3):
    """Parses --mib, --hold and --calls (defaults from GCLAB_MIB, GCLAB_HOLD, GCLAB_CALLS),
    prints the experiment's title and returns the options."""
    prog = os.path.basename(sys.argv[0]).rsplit(".", 1)[0]
    p = argparse.ArgumentParser(prog=prog, description=title)
    p.add_argument("--mib", type=float, default=_env_number("GCLAB_MIB", 32.0, float),
                   help="size of each array in MiB (default 32, or $GCLAB_MIB)")
    p.add_argument("--hold", type=float, default=_env_number("GCLAB_HOLD", 1.0, float),
                   help="how long compute() holds its array (default 1, or $GCLAB_HOLD)")
    p.add_argument("--calls", type=int, default=_env_number("GCLAB_CALLS", calls, int),
                   help="how many times compute() runs (or $GCLAB_CALLS)")
    o = p.parse_args()
    if not (0.01 <= o.mib <= 1 << 20) or not (0 <= o.hold <= 3600) or not (1 <= o.calls <= 1000):
        p.error("value out of range")
    o.elements = max(1, int(o.mib * 1048576 / 8))
    print("%s: %s" % (prog, title))
    print("array %.2f MiB (%d int64), held %.2f s, %d calls" % (o.mib, o.elements, o.hold, o.calls))
    sys.stdout.flush()
    return o


def print_call(call, mean):
    c = gc.get_count()
    print("call %d: mean %.4f, gc.get_count() (%d, %d, %d)" % (call, mean, c[0], c[1], c[2]))
    sys.stdout.flush()


def collect():
    """gc.collect(), timed; prints what it found, its time and how many objects it examined
    (every object the collector tracks: len(gc.get_objects()) before the collection)."""
    examined = len(gc.get_objects())
    t0 = time.perf_counter()
    found = gc.collect()
    dt = time.perf_counter() - t0
    print("gc.collect(): %d unreachable objects, %.6f ms, %d objects examined"
          % (found, dt * 1e3, examined))
    sys.stdout.flush()
    return found
