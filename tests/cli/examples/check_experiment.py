"""check_experiment.py - one experiment under mprof, with small arrays; asserts its curve's shape.

Usage: check_experiment.py --mprof MPROF [--python PY] N PROGRAM

Runs `mprof run -T 0.02 PROGRAM --mib 8 --hold 0.25` (a .py PROGRAM under PY), then reads
the profile (`mprof export --format json`, through report.read_profile) and the program's
output (report.read_log) and checks experiment N's shape (report.check_shape, the checks the
report states too: what the issue asks, e.g. baseline calls end within 5% of where they
started, cycles keep about one array per call) plus what its output must say. Exit 0 when
every check passed, 1 otherwise, 77 (skip) when PY cannot import numpy.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts"))
import report  # noqa: E402

MIB = 8.0
HOLD = 0.25


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mprof", required=True)
    p.add_argument("--python")
    p.add_argument("n", type=int)
    p.add_argument("program")
    a = p.parse_args()
    env = dict(os.environ)
    cmd = [a.mprof, "run", "-q", "-T", "0.02"]
    if a.python:
        try:
            has_numpy = subprocess.call([a.python, "-c", "import numpy"],
                                        stderr=subprocess.DEVNULL) == 0
        except OSError:
            has_numpy = False
        if not has_numpy:
            print("skip: %s cannot import numpy" % a.python)
            return 77
        # Arrays under 32 MiB: without a fixed mmap threshold glibc may keep a freed array's
        # memory in its heap (docs/experiments.md).
        env["MALLOC_MMAP_THRESHOLD_"] = "131072"
        prog = ["--python", a.python, a.program]
    else:
        prog = [a.program]
    tmp = tempfile.mkdtemp(prefix="gclab-exp.")
    failures = 0
    try:
        dat = os.path.join(tmp, "x.dat")
        logp = os.path.join(tmp, "x.log")
        with open(logp, "w") as out:
            rc = subprocess.call(cmd + ["-o", dat] + prog + ["--mib", str(MIB), "--hold", str(HOLD)],
                                 stdout=out, env=env)
        log = report.read_log(logp)
        print("\n".join("  | " + l for l in log["lines"]))
        try:
            d = report.read_profile(a.mprof, dat)
        except report.ProfileError as e:
            print("FAIL: mprof run exited %d; mprof export cannot read the profile: %s" % (rc, e))
            return 1
        f = report.facts(d, log["mib"])
        if os.environ.get("GCLAB_SANITIZED") and not a.python:
            # An AddressSanitizer build of the C program keeps, resident, the shadow (1/8) of
            # every mapping it freed: up to two arrays' shadow is not the program's memory.
            f["slack"] = 2 * MIB / 8 + 0.25
        checks = [(rc == 0, "mprof run exited %d" % rc),
                  (d.exit is not None and d.exit[0] == 0, "the profile records exit status 0"),
                  (log["mib"] == MIB, "the program read --mib %g (said %s)" % (MIB, log["mib"])),
                  (len(log["calls"]) == len(f["calls"]),
                   "one 'call N' line per bracket (%d lines, %d brackets)"
                   % (len(log["calls"]), len(f["calls"])))]
        checks += report.check_shape(a.n, f)
        if a.n == 4:
            th = log["threshold"]
            checks.append((th is not None and log["calls"] and
                           all(c["count"][0] < th[0] for c in log["calls"]),
                           "gc.get_count()[0] stayed under threshold 0 %s" % (th,)))
        if a.n == 5:
            cl = log["collects"]
            checks.append((len(cl) == 1 and cl[0]["found"] >= 2,
                           "one gc.collect() line, finding at least 2 objects: %s" % cl))
        if a.n == 6:
            au = [x for x in log["autos"] if x["call"] > 0]
            checks.append((len(au) == len(f["gcs_during"]) and len(au) > 0,
                           "a printed automatic collection for each GC line during the calls "
                           "(%d printed, %d in the profile)" % (len(au), len(f["gcs_during"]))))
        for ok, text in checks:
            print("%s: %s" % ("ok" if ok else "FAIL", text))
            failures += not ok
        if failures:
            print("profile:")
            with open(dat) as fh:
                sys.stdout.write("".join(l for l in fh if not l.startswith(("MEM", "PEAK"))))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
