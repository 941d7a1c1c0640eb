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


def sampler_cpu():
    print("Sampler CPU and achieved rate, `sleep 10` at -T 0.001:")
    res = {}
    for name, tool in (("ours", OURS), ("theirs", THEIRS)):
        if tool == THEIRS and not HAVE_THEIRS:
            continue
        out = os.path.join(WORK, f"cpu_{name}.dat")
        cpu, wall, _, _ = run(tool, ["-T", "0.001", "sleep", "10"], out)
        t, _ = samples(out)
        res[name] = (cpu / max(len(t), 1) * 1e6, rate(t, 0.001), len(t) / (10 / 0.001))
    th = res.get("theirs")
    floor = float(subprocess.run([WAKEUP, "3000"], capture_output=True, text=True).stdout)
    line("CPU per sample", res["ours"][0], th and th[0], " us", "<= 5 us, >= 30x less")
    line("  of which this machine's bare timer wakeup", floor, None, " us", "(floor for any sampler)")
    line("  our work per sample above that floor", res["ours"][0] - floor,
         th and th[0] - floor, " us", "")
    line("achieved rate at 1 ms (span)", res["ours"][1], th and th[1], "", ">= 0.99 (theirs 0.84)",
         better_low=False)
    line("samples / (10 s / 1 ms)", res["ours"][2], th and th[2], "", "", better_low=False)


def fine_rate():
    out = os.path.join(WORK, "fine.dat")
    run(OURS, ["-T", "0.0001", "sleep", "3"], out)
    t, _ = samples(out)
    print("Achieved rate at -T 0.0001 on `sleep 3`:")
    line("achieved rate at 0.1 ms", rate(t, 0.0001), None, "", ">= 0.95", better_low=False)


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
    floor = float(subprocess.run([WAKEUP, "3000"], capture_output=True, text=True).stdout)
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
        sampler_cpu()
        fine_rate()
        tree()
        startup()
        spikes()
        own_rss()
        brackets()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)


main()
