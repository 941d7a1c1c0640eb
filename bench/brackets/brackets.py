"""bench/brackets: one bracket's cost, side by side (see run).

Each configuration runs ROUNDS times, the configurations interleaved within a round so that
all see the same load. A figure is the median of its runs; [min-max] is their range.
- C bracket: cbracket.c times N begin/end pairs in its own loop, per bracket.
- Python call: bench/python/calls.py times N calls of a decorated empty function, per call, minus the
  same loop under plain python (where @profile is the identity) in the same round. With the
  tracker it is timed twice: on the path mprof_trace takes by itself (through its C accelerator
  when the build made it for this interpreter, docs/python.md) and on the pure-Python path
  (MPROF_TRACE_PURE=1); which path each row measured is printed (asked of mprof_trace itself).
- Each is timed twice: wall time, and the thread's CPU time (which the preemption of a loaded
  machine does not inflate; a send that waits for room is not in it).
- The program's slowdown: its run's wall time under the tool, less the tool's own start and
  end (the same tool's run of the program with 0 calls, less plain's run with 0 calls), over
  its plain wall time: what a program that does nothing but these calls feels.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BUILD = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
MPROF = os.path.join(BUILD, "bin", "mprof")
CBENCH = os.path.join(BUILD, "bench", "bench_cbracket")
CALLS_PY = os.path.join(HERE, "..", "python", "calls.py")  # shared with bench/python
PY = "/usr/bin/python3"
MP = "/usr/bin/python3-mprof"
ROUNDS = int(os.environ.get("ROUNDS", "7"))
N = int(os.environ.get("CALLS", "20000"))
CN = N * 5


def run(argv):
    t = time.perf_counter()
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         check=False).stdout
    return out.strip().splitlines()[-1] if out.strip() else "", time.perf_counter() - t


def mprof(peaks, dat, *prog):
    return [MPROF, "run", "-q", "--peaks=" + peaks, "-o", dat] + list(prog)


def py_path(dat, pure):
    """Which path mprof_trace takes under `mprof run --peaks=bpf` here: "C accelerator" or
    "pure Python" (and why)."""
    code = ("import mprof_trace as m\n"
            "print(m._accelerated(), m._accel is not None and m._accel.__file__)")
    argv = mprof("bpf", dat, "--python", PY, "-c", code)
    if pure:
        argv = ["env", "MPROF_TRACE_PURE=1"] + argv
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True).stdout.split()
    if out and out[0] == "True":
        return "C accelerator", out[1]
    return "pure Python", ("MPROF_TRACE_PURE=1" if pure else
                           "no accelerator built for %s (python3-dev?)" % PY)


def spread(v):
    return statistics.median(v), min(v), max(v)


def main():
    for p in (MPROF, CBENCH):
        if not os.access(p, os.X_OK):
            print("bench/brackets: %s is not built" % p)
            return 1
    have_mp = os.access(MP, os.X_OK)
    tmp = tempfile.mkdtemp(prefix="bench-brackets-")
    dat = os.path.join(tmp, "out.dat")
    probe = subprocess.run([MPROF, "run", "-q", "--peaks=bpf", "-o", dat, "true"],
                           stderr=subprocess.DEVNULL).returncode == 0
    if not probe:
        print("bench/brackets: the kernel tracker cannot run here (--peaks=bpf needs root "
              "and a kernel with BTF): no figures with it")
    configs = {
        "c.plain": [CBENCH, str(CN)],
        "c.hwm": mprof("hwm", dat, CBENCH, str(CN)),
        "py.plain": [PY, CALLS_PY, str(N)],
        "py.hwm": mprof("hwm", dat, "--python", PY, CALLS_PY, str(N)),
    }
    if probe:
        configs["c.bpf"] = mprof("bpf", dat, CBENCH, str(CN))
        configs["py.bpf"] = mprof("bpf", dat, "--python", PY, CALLS_PY, str(N))
        configs["py.bpf.pure"] = (["env", "MPROF_TRACE_PURE=1"] +
                                  mprof("bpf", dat, "--python", PY, CALLS_PY, str(N)))
        paths = {"py.bpf": py_path(dat, False), "py.bpf.pure": py_path(dat, True)}
    if have_mp:
        configs["py.mp"] = [MP, "run", "-o", dat, CALLS_PY, str(N)]
    wallc = {k: [] for k in configs}   # per call, wall (us)
    cpuc = {k: [] for k in configs}    # per call, CPU (us)
    wall = {k: [] for k in configs}    # whole run (s)
    wall0 = {k: [] for k in configs}   # whole run with 0 calls (s)
    funcs = {}
    os.chdir(tmp)
    for _ in range(ROUNDS):
        for k, argv in configs.items():
            wall0[k].append(run(argv[:-1] + ["0"])[1])
            line, w = run(argv)
            try:
                a, b = (float(x) for x in line.split())
            except ValueError:
                print("bench/brackets: %s printed %r" % (k, line))
                return 1
            if k.startswith("c."):
                a, b = a / 1000.0, b / 1000.0
            wallc[k].append(a)
            cpuc[k].append(b)
            wall[k].append(w)
            if not k.endswith("plain"):
                with open(dat, errors="replace") as f:
                    funcs[k] = sum(1 for ln in f if ln.startswith("FUNC"))
    shutil.rmtree(tmp, ignore_errors=True)

    cost, cpu, slow = {}, {}, {}
    for k in configs:
        lang = k.split(".")[0]
        if lang == "py" and k != "py.plain":
            cost[k] = spread([a - b for a, b in zip(wallc[k], wallc["py.plain"])])
            cpu[k] = spread([a - b for a, b in zip(cpuc[k], cpuc["py.plain"])])
        elif lang == "c":
            cost[k] = spread(wallc[k])
            cpu[k] = spread(cpuc[k])
        if not k.endswith("plain"):
            p = lang + ".plain"
            own = [w - w0 + p0 for w, w0, p0 in zip(wall[k], wall0[k], wall0[p])]
            slow[k] = statistics.median(own) / statistics.median(wall[p])
    anchor = cost.get("py.mp", (None,))[0]
    anchor_cpu = cpu.get("py.mp", (None,))[0]

    print("One bracket (median of %d interleaved runs [range]); %d Python calls, %d C brackets "
          "a run; load average %.1f" % (ROUNDS, N, CN, os.getloadavg()[0]))
    print("  %-42s %21s %21s %8s %8s %8s %9s %7s" % (
        "", "us wall", "us CPU", "m_p/x", "m_p/x", "prev/x", "slowdown", "FUNCs"))
    print("  %-42s %21s %21s %8s %8s %8s" % ("", "", "", "wall", "CPU", "wall"))
    rows = [
        ("py.mp", "Python @profile, memory_profiler (anchor)"),
        ("py.hwm", "Python @profile, mprof, previous path"),
        ("py.bpf", "Python @profile, mprof with the tracker"),
        ("py.bpf.pure", "  the same, pure-Python path"),
        ("c.plain", "C bracket outside mprof (one branch)"),
        ("c.hwm", "C bracket, mprof, previous path"),
        ("c.bpf", "C bracket, mprof with the tracker"),
    ]

    def ratio(a, b):
        return "%7.1fx" % (a / b) if a and b and b > 0 else "%8s" % "-"

    for k, label in rows:
        if k not in cost:
            continue
        m, lo, hi = cost[k]
        cm, clo, chi = cpu[k]
        prev = cost.get(k.split(".")[0] + ".hwm", (None,))[0]
        print("  %-42s %7.3f [%5.3f-%6.3f] %7.3f [%5.3f-%6.3f] %s %s %s %9s %7s" % (
            label, m, lo, hi, cm, clo, chi,
            ratio(anchor, m) if k != "py.mp" else "%8s" % "-",
            ratio(anchor_cpu, cm) if k != "py.mp" else "%8s" % "-",
            ratio(prev, m) if ".bpf" in k else "%8s" % "-",
            "%8.2fx" % slow[k] if k in slow else "-", funcs.get(k, "")))
    print("  m_p/x: times cheaper than memory_profiler's @profile (wall, CPU); prev/x: than the "
          "previous path (two statm reads\n  and a send); slowdown: the program's wall time "
          "under the tool, less the tool's start and end, over plain's.")
    if "py.bpf" in cost and "c.bpf" in cost:
        print("  goals with the tracker (the issue's, on a quiet machine): Python <= 1.5 us, "
              "C <= 1 us; here Python %.3f us wall, %.3f us CPU; C %.3f us wall, %.3f us CPU" % (
                  cost["py.bpf"][0], cpu["py.bpf"][0], cost["c.bpf"][0], cpu["c.bpf"][0]))
        for k in ("py.bpf", "py.bpf.pure"):
            print("  Python path measured by '%s': %s (%s)" % (
                "with the tracker" if k == "py.bpf" else "pure-Python path", paths[k][0],
                paths[k][1]))
    if not have_mp:
        print("  memory_profiler's mprof is not installed (%s; Debian: apt-get install "
              "python3-memory-profiler): no ratio to the anchor" % MP)
    return 0


sys.exit(main())
