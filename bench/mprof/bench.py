"""mprof run against memory_profiler's mprof, measured in one run on this machine.

Prints each figure for both tools and the ratio against memory_profiler (the anchor), with the
issue's target beside it. Run by bench/mprof/run (make bench). Not a test: timings vary with
the machine's load, so compare the ratios of one run.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BUILD = sys.argv[1]
OURS = os.path.join(BUILD, "bin/mprof")
THEIRS = "/usr/bin/python3-mprof"
MEMFIX = os.path.join(BUILD, "tests/memfix")
BRACKETS = os.path.join(BUILD, "bench/bench_brackets")
WAKEUP = os.path.join(BUILD, "bench/bench_wakeup")
HAVE_THEIRS = os.access(THEIRS, os.X_OK)
WORK = tempfile.mkdtemp(prefix="mprof-bench.")


def vm_hwm_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(tool, args, out, watch_rss=False, capture=False):
    """Runs `tool run ... -o out args`; returns (cpu s, wall s, own peak RSS kB, stdout)."""
    cmd = [tool, "run", "-o", out] + args
    if tool == OURS:
        cmd.insert(2, "-q")
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, cwd=WORK)
    hwm = 0
    if watch_rss:
        while True:
            pid, st, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            hwm = max(hwm, vm_hwm_kb(p.pid))
            time.sleep(0.05)
    else:
        stdout = p.stdout.read() if capture else b""
        pid, st, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    return ru.ru_utime + ru.ru_stime, wall, hwm, (stdout if capture and not watch_rss else b"")


def samples(path):
    t = []
    peak = 0.0
    with open(path) as f:
        for line in f:
            w = line.split()
            if w and w[0] == "MEM":
                t.append(float(w[2]))
            if w and w[0] in ("MEM", "PEAK"):
                peak = max(peak, float(w[1]))
    return t, peak


def rate(t, interval):
    """Achieved rate as a fraction of the requested one, over the sampled span."""
    if len(t) < 2:
        return 0.0
    return (len(t) - 1) * interval / (t[-1] - t[0])


def line(what, ours, theirs, unit, target, better_low=True, fmt="{:.3g}"):
    o = fmt.format(ours) + unit
    if theirs is None:
        th, ratio = "n/a", ""
    else:
        th = fmt.format(theirs) + unit
        if ours and theirs:
            r = theirs / ours if better_low else ours / theirs
            ratio = f"{r:.1f}x better" if r >= 1 else f"{1 / r:.1f}x worse"
        else:
            ratio = ""
    print(f"  {what:<44} ours {o:>12}  memory_profiler {th:>12}  {ratio:<14} target: {target}")


def task_cpu_ns(pid):
    """CPU time of every thread of `pid` so far (schedstat's run time, ns), or None when gone."""
    total = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return total


def meta(path):
    with open(path) as f:
        for l in f:
            if l.startswith("META "):
                return dict(kv.split("=", 1) for kv in l.split()[1:] if "=" in kv)
    return {}


RUN_S, SKIP_S = 4.0, 1.0  # each run: `sleep RUN_S`; measured over [SKIP_S, RUN_S - SKIP_S/2]


def window_run(tool, interval, out):
    """Runs `tool run -T interval sleep RUN_S`. Returns (CPU per sample in the steady-state
    window, us; achieved rate in the window; CPU per sample over the whole run with start-up,
    us). The window leaves out start-up (loading the eBPF program costs mprof about 0.1 s of
    CPU, a fixed cost, not a per-sample one) and exit."""
    cmd = [tool, "run", "-o", out, "-T", str(interval), "sleep", str(RUN_S)]
    if tool == OURS:
        cmd.insert(2, "-q")
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=WORK)
    time.sleep(max(0.0, t0 + SKIP_S - time.monotonic()))
    c0, w0 = task_cpu_ns(p.pid), time.time()
    time.sleep(max(0.0, t0 + RUN_S - SKIP_S / 2 - time.monotonic()))
    c1, w1 = task_cpu_ns(p.pid), time.time()
    _, _, ru = os.wait4(p.pid, 0)
    t, _ = samples(out)
    n = sum(1 for x in t if w0 <= x <= w1)
    if c0 is None or c1 is None or n == 0:
        return None
    whole = (ru.ru_utime + ru.ru_stime) / max(len(t), 1) * 1e6
    return (c1 - c0) / 1e3 / n, n * interval / (w1 - w0), whole


def med(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "n/a"
    return f"{statistics.median(xs):.3g} [{min(xs):.3g}-{max(xs):.3g}]"


def sampler_floor(reps=5):
    print(f"Sampler CPU per sample against the bare wakeup floor, `sleep {RUN_S:g}` measured "
          f"over [{SKIP_S:g} s, {RUN_S - SKIP_S / 2:g} s] of each run,")
    print(f"median [range] of {reps} interleaved runs (ratios taken run by run):")
    intervals = (0.01, 0.001, 0.0001)
    res = {(iv, k): [] for iv in intervals for k in ("floor", "ours", "theirs")}
    peaks = set()
    for rep in range(reps):
        for iv in intervals:
            order = ["floor", "ours", "theirs"]
            order = order[rep % 3:] + order[:rep % 3]  # rotate who goes first
            for who in order:
                if who == "floor":
                    out = subprocess.run([WAKEUP, str(iv), str(RUN_S), str(SKIP_S)],
                                         capture_output=True, text=True).stdout.split()
                    res[(iv, who)].append((float(out[0]), None, None) if out else None)
                elif who == "ours" or HAVE_THEIRS:
                    out = os.path.join(WORK, f"w_{who}_{iv}_{rep}.dat")
                    res[(iv, who)].append(window_run(OURS if who == "ours" else THEIRS, iv, out))
                    if who == "ours":
                        peaks.add(meta(out).get("peaks", "?"))
    print(f"  (mprof with the default --peaks=auto; the source it got: {', '.join(sorted(peaks))})")
    print(f"  {'interval':<9}{'floor us':<19}{'mprof us':<19}{'mprof/floor':<21}"
          f"{'memory_prof. us':<21}{'mp./mprof':<19}{'mprof rate':<14}")

    def col(rs, i):
        return [r[i] if r else None for r in rs]

    for iv in intervals:
        fl, ou, th = res[(iv, "floor")], res[(iv, "ours")], res[(iv, "theirs")]
        ratio = [o[0] / f[0] if o and f and f[0] else None for o, f in zip(ou, fl)]
        vs_th = [t[0] / o[0] if o and t and o[0] else None for o, t in zip(ou, th)]
        label = f"{iv * 1e3:g} ms"
        print(f"  {label:<9}{med(col(fl, 0)):<19}{med(col(ou, 0)):<19}{med(ratio):<21}"
              f"{med(col(th, 0)):<21}{med(vs_th):<19}{med(col(ou, 1)):<14}")
    print("  target: mprof/floor <= 1.3 at 1 and 0.1 ms; mp./mprof: memory_profiler's CPU per"
          " sample over mprof's (higher is better)")
    print("  whole-run CPU per sample, start-up included (mprof loads its eBPF program once):")
    for iv in intervals:
        print(f"    {iv * 1e3:g} ms: mprof {med(col(res[(iv, 'ours')], 2))} us, "
              f"memory_profiler {med(col(res[(iv, 'theirs')], 2))} us")


def tree():
    print("-C on a tree of 10 processes at -T 0.001 for 5 s:")
    res = {}
    for name, tool in (("ours", OURS), ("theirs", THEIRS)):
        if tool == THEIRS and not HAVE_THEIRS:
            continue
        out = os.path.join(WORK, f"tree_{name}.dat")
        cpu, _, _, _ = run(tool, ["-C", "-T", "0.001", MEMFIX, "tree", "8", "1", "5000"], out)
        t, _ = samples(out)
        res[name] = (rate(t, 0.001), cpu / max(len(t), 1) * 1e6)
    th = res.get("theirs")
    line("achieved rate", res["ours"][0], th and th[0], "", ">= 0.99", better_low=False)
    line("CPU per sample", res["ours"][1], th and th[1], " us", "<= 30 us")
    floor = float(subprocess.run([WAKEUP, "0.001", "3", "1"], capture_output=True,
                                  text=True).stdout.split()[0])
    line("  above the bare wakeup floor", res["ours"][1] - floor, th and th[1] - floor, " us", "")


def startup():
    print("`mprof run true`, wall time, median of 15:")
    res = {}
    for name, tool in (("ours", OURS), ("theirs", THEIRS)):
        if tool == THEIRS and not HAVE_THEIRS:
            continue
        walls = []
        for i in range(15):
            out = os.path.join(WORK, f"true_{name}_{i}.dat")
            walls.append(run(tool, ["true"], out)[1])
        res[name] = statistics.median(walls) * 1e3
    line("wall", res["ours"], res.get("theirs"), " ms", "<= 5 ms (theirs ~190 ms)")


def spikes():
    print("A 64 MiB spike held 40 ms on a 20 MiB base, default interval, 10 runs:")
    res = {}
    for name, tool in (("ours", OURS), ("theirs", THEIRS)):
        if tool == THEIRS and not HAVE_THEIRS:
            continue
        caught = 0
        for i in range(10):
            out = os.path.join(WORK, f"spike_{name}_{i}.dat")
            run(tool, [MEMFIX, "spike", "20", "64", "40"], out)
            caught += samples(out)[1] >= 84
        res[name] = caught
    th = res.get("theirs")
    line("spikes caught of 10", res["ours"], th, "", "10 of 10", better_low=False, fmt="{}")


def own_rss():
    print("The profiler's own resident memory (VmHWM), `sleep 3` at -T 0.001:")
    res = {}
    for name, tool in (("ours", OURS), ("theirs", THEIRS)):
        if tool == THEIRS and not HAVE_THEIRS:
            continue
        out = os.path.join(WORK, f"rss_{name}.dat")
        res[name] = run(tool, ["-T", "0.001", "sleep", "3"], out, watch_rss=True)[2] / 1024
    line("own peak RSS", res["ours"], res.get("theirs"), " MiB", "<= 2 MiB (theirs ~25 MB)")


def brackets():
    print("One bracket (begin + end, own RSS read included) in a traced C program:")
    out = os.path.join(WORK, "br.dat")
    _, _, _, stdout = run(OURS, [BRACKETS, "200000"], out, capture=True)
    n, ns, enabled = stdout.split()
    plain = subprocess.run([BRACKETS, "10000000"], capture_output=True, text=True).stdout.split()
    funcs = sum(1 for l in open(out) if l.startswith("FUNC "))
    line("under mprof (channel on)", float(ns) / 1e3, None, " us", "<= 2 us")
    line("outside mprof (one branch)", float(plain[1]), None, " ns", "one predictable branch")
    print(f"  brackets recorded: {funcs} of {int(n)} (channel enabled: {int(enabled)})")


def main():
    if not HAVE_THEIRS:
        print(f"memory_profiler's mprof ({THEIRS}) is not installed: printing our figures only "
              "(scripts/install-deps --bench installs it).")
    try:
        sampler_floor()
        tree()
        startup()
        spikes()
        own_rss()
        brackets()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)


main()
