"""bench/brackets: one bracket's cost, side by side (see run).

Each configuration runs ROUNDS times, the configurations interleaved within a round so that
all see the same load. A figure is the median of its runs; [min-max] is their range.
- C bracket: bench_brackets times N begin/end pairs in its own loop (ns per bracket).
- Python call: bench/python/calls.py times N calls of a decorated empty function (us per
  call), minus the same loop under plain python, where @profile is the identity.
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
CBENCH = os.path.join(BUILD, "bench", "bench_brackets")
CALLS_PY = os.path.join(HERE, "..", "python", "calls.py")
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
        print("bench/brackets: the kernel tracker cannot run here (--peaks=bpf: needs root "
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
    if have_mp:
        configs["py.mp"] = [MP, "run", "-o", dat, CALLS_PY, str(N)]
    fig = {k: [] for k in configs}
    wall = {k: [] for k in configs}
    wall0 = {k: [] for k in configs}
    funcs = {}
    os.chdir(tmp)
    for _ in range(ROUNDS):
        for k, argv in configs.items():
            wall0[k].append(run(argv[:-1] + ["0"])[1])
            line, w = run(argv)
            try:
                v = float(line.split()[1]) / 1000.0 if k.startswith("c.") else float(line)
            except (ValueError, IndexError):
                print("bench/brackets: %s printed %r" % (k, line))
                return 1
            fig[k].append(v)
            wall[k].append(w)
            if k.endswith((".hwm", ".bpf", ".mp")):
                with open(dat, errors="replace") as f:
                    funcs[k] = sum(1 for ln in f if ln.startswith("FUNC"))
    shutil.rmtree(tmp, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in fig.items()}
    # A Python call's cost: the loop under the tool minus the plain loop of the same round.
    cost = {}
    for k in fig:
        if k.startswith("py.") and k != "py.plain":
            d = [a - b for a, b in zip(fig[k], fig["py.plain"])]
            cost[k] = (statistics.median(d), min(d), max(d))
        elif k.startswith("c."):
            cost[k] = (med[k], min(fig[k]), max(fig[k]))
    slow = {}
    for k in wall:
        if k.endswith("plain"):
            continue
        p = k.split(".")[0] + ".plain"
        own = [w - w0 + p0 for w, w0, p0 in zip(wall[k], wall0[k], wall0[p])]
        slow[k] = statistics.median(own) / statistics.median(wall[p])
    anchor = cost.get("py.mp", (None,))[0]

    print("One bracket, us (median of %d interleaved runs [range]); %d Python calls, %d C "
          "brackets a run" % (ROUNDS, N, CN))
    print("  %-44s %22s %9s %9s %9s %8s" % ("", "us per bracket", "vs m_p", "vs prev",
                                           "slowdown", "FUNCs"))
    rows = [
        ("py.mp", "Python @profile, memory_profiler (anchor)"),
        ("py.hwm", "Python @profile, mprof, previous path"),
        ("py.bpf", "Python @profile, mprof with the tracker"),
        ("c.plain", "C bracket outside mprof (one branch)"),
        ("c.hwm", "C bracket, mprof, previous path"),
        ("c.bpf", "C bracket, mprof with the tracker"),
    ]
    for k, label in rows:
        if k not in cost:
            continue
        m, lo, hi = cost[k]
        prev = cost.get(k.split(".")[0] + ".hwm", (None,))[0]
        vs_mp = "%8.1fx" % (anchor / m) if anchor and m > 0 and k != "py.mp" else "%9s" % "-"
        vs_prev = "%8.1fx" % (prev / m) if prev and k.endswith(".bpf") and m > 0 else "%9s" % "-"
        sd = "%8.2fx" % slow[k] if k in slow else "%9s" % "-"
        print("  %-44s %8.3f [%5.3f-%6.3f] %s %s %s %8s" % (label, m, lo, hi, vs_mp, vs_prev, sd,
                                                        funcs.get(k, "")))
    print("  (vs m_p: how many times cheaper than memory_profiler's @profile; vs prev: than "
          "the previous path, statm + send;\n   slowdown: the program's wall time under the "
          "tool (less the tool's start and end) over plain's; goals: Python <= 1.5 us, C <= 1 us with the tracker)")
    if "py.bpf" in cost and "c.bpf" in cost:
        print("  goals: Python %.3f us (%s 1.5), C %.3f us (%s 1.0)" % (
            cost["py.bpf"][0], "<=" if cost["py.bpf"][0] <= 1.5 else ">",
            cost["c.bpf"][0], "<=" if cost["c.bpf"][0] <= 1.0 else ">"))
    if not have_mp:
        print("  memory_profiler's mprof is not installed (%s; Debian: apt-get install "
              "python3-memory-profiler): no ratio to the anchor" % MP)
    return 0


sys.exit(main())
