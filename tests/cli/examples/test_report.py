"""test_report.py - the demo driver and the report generator, on a small run.

Usage: test_report.py --mprof MPROF BUILD_DIR

Runs `scripts/demo --small --out TMP BUILD_DIR` (small arrays, short holds), then checks:
the folder it printed last; report.md has every section and every experiment, each picture it
references exists, report.html shows the same pictures (its copies in report-img/); the pictures are there when
`mprof plot` works and the report says why when it does not; figures in the report come from
the run's files; the brackets evidence (memory_profiler's empty FUNC list, the reproduction);
then report.py alone on a copy of the folder with memory_profiler and the Python runs removed,
and its usage errors. Profiles are read as the report reads them, with MPROF's
`mprof export --format json` (report.read_profile).
"""
import html.parser
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(SRC, "scripts"))
import report  # noqa: E402

failures = 0


def check(ok, text):
    global failures
    print("%s: %s" % ("ok" if ok else "FAIL", text))
    failures += not ok


class Imgs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs, self.h2 = [], []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.imgs.append(dict(attrs).get("src", ""))
        self._in_h2 = tag == "h2"

    def handle_data(self, data):
        if self._in_h2:
            self.h2.append(data)

    def handle_endtag(self, tag):
        self._in_h2 = False


def md_images(md):
    return re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)


def check_report(out, expect_plots):
    md = open(os.path.join(out, "report.md"), encoding="utf-8").read()
    page = open(os.path.join(out, "report.html"), encoding="utf-8").read()
    heads = re.findall(r"^## (.+)$", md, re.M)
    check(heads == report.SECTIONS, "report.md has the sections, in order: %s" % heads)
    for n, stem, title, _ in report.EXPERIMENTS:
        check(("### %d. %s" % (n, title)) in md, "report.md has experiment %d" % n)
    imgs = md_images(md)
    for p in imgs:
        check(os.path.isfile(os.path.join(out, p)), "picture %s exists" % p)
    parser = Imgs()
    parser.feed(page)
    want = [report.IMG_DIR + "/" + p.replace("/", "-") for p in imgs]
    check(parser.imgs == want and all(os.path.isfile(os.path.join(out, s)) for s in want),
          "report.html shows the %d pictures from its copies in %s/ (has %s)"
          % (len(imgs), report.IMG_DIR, parser.imgs))
    check(parser.h2 == report.SECTIONS, "report.html has the sections")
    check("%s" not in md and "%d" not in md and "None" not in md,
          "no unfilled placeholder or None in report.md")
    return md, imgs


def main():
    if len(sys.argv) != 4 or sys.argv[1] != "--mprof":
        sys.stderr.write("Usage: test_report.py --mprof MPROF BUILD_DIR\n")
        return 2
    mprof, build = sys.argv[2], sys.argv[3]
    tmp = tempfile.mkdtemp(prefix="gclab-report.")
    try:
        out = os.path.join(tmp, "out")
        p = subprocess.run([os.path.join(SRC, "scripts", "demo"), "--small", "--out", out, build],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        print("\n".join("  | " + l for l in p.stdout.splitlines()))
        check(p.returncode == 0, "scripts/demo --small exited %d" % p.returncode)
        lines = p.stdout.strip().splitlines()
        check(bool(lines) and lines[-1] == out, "the demo printed its folder last")
        if not os.path.exists(os.path.join(out, "report.md")):
            check(False, "the demo wrote report.md")
            return 1
        info = report.read_kv(os.path.join(out, "run.txt"))
        plots = info.get("plot", "").startswith("PNG")
        md, imgs = check_report(out, plots)

        # Pictures: every profile plotted when mprof plot works; else the reason, per picture.
        for lang in ("c", "python"):
            for _, stem, _, _ in report.EXPERIMENTS:
                dat = os.path.join(out, lang, stem + ".dat")
                if not os.path.exists(dat):
                    continue
                rel = "%s/%s.png" % (lang, stem)
                if plots:
                    check(rel in imgs and os.path.isfile(os.path.join(out, lang, stem + ".svg")),
                          "%s is plotted (PNG in the report, SVG beside it)" % rel)
                else:
                    check(rel not in imgs and os.path.isfile(
                        os.path.join(out, lang, stem + ".plot.err")),
                        "%s: no picture, and mprof plot's reason kept" % rel)
        if not plots:
            check("no picture: " in md and info.get("plot", "").startswith("not available"),
                  "the report says the pictures are missing and why (%s)" % info.get("plot"))

        # Figures come from the run: the C baseline's start, straight from its .dat.
        with open(os.path.join(out, "c", "exp1_baseline.dat")) as f:
            m0 = [float(l.split()[2]) for l in f if l.startswith("FUNC ")][0]
        row = [l for l in md.splitlines() if l.startswith("| C on rcgc |")][0]
        check(("%.2f MiB" % m0) in row, "the C baseline row starts at the .dat's %.2f MiB" % m0)
        for n, stem, _, _ in report.EXPERIMENTS:
            r = report.facts(report.read_profile(mprof, os.path.join(out, "c", stem + ".dat")), None)
            check(len(r["calls"]) == (6 if n == 6 else 3), "c/%s.dat has its brackets" % stem)

        # The brackets question.
        bd = os.path.join(out, "brackets")
        status = report.read_kv(os.path.join(bd, "status.txt"))
        py2 = os.path.join(out, "python", "exp2_gc_disabled.dat")
        if status.get("memory_profiler") == "ok":
            mp = report.read_profile(mprof, os.path.join(bd, "memory_profiler-exp2.dat"))
            ours = report.read_profile(mprof, py2)
            check(not mp.funcs and len(mp.mem) > 0,
                  "memory_profiler sampled the gc-disabled script and wrote no FUNC line "
                  "(%d MEM, %d FUNC)" % (len(mp.mem), len(mp.funcs)))
            check(len([b for b in ours.funcs if report.is_compute(b["name"])]) == 3,
                  "ours kept the 3 brackets of the gc-disabled script")
            check("wrote none of its 3 brackets" in md, "the report says so")
        else:
            check("memory_profiler is not installed here" in md or
                  "memory_profiler's run could not be made here" in md,
                  "the report says why memory_profiler's run is missing (%s)" % status)
        repro = report.read_kv(os.path.join(bd, "repro.txt"))
        check(len(repro) == 4 and [k for k, v in repro.items() if v == "0"] == ["gc disabled,yes"],
              "the reproduction lost the line only with gc disabled and a cycle: %s" % repro)
        check("Only the combination lost the line" in md, "the report draws that conclusion")

        # Cost tables.
        for name in ("rcgc", "cpython"):
            t = report.read_tsv(os.path.join(out, "cost", name + ".tsv"))
            check(len(t.get("tracked", [])) >= 2 and len(t.get("garbage_mib", [])) >= 2,
                  "cost/%s.tsv has both tables" % name)
        check(re.search(r"^\| rcgc \| 10001 \| ", md, re.M) is not None,
              "the cost table has rcgc's 10001-object row")
        svg = open(os.path.join(out, "cost", "collection-time.svg")).read()
        check("cost/collection-time.svg" in imgs and svg.count("<circle") == 4,
              "the cost chart is in the report, with a point per measurement (2 + 2)")

        # report.py alone: no memory_profiler, no Python runs, no pictures.
        out2 = os.path.join(tmp, "out2")
        shutil.copytree(out, out2)
        for lang in ("python",):
            shutil.rmtree(os.path.join(out2, lang))
            os.mkdir(os.path.join(out2, lang))
            for _, stem, _, _ in report.EXPERIMENTS:
                with open(os.path.join(out2, lang, stem + ".status"), "w") as f:
                    f.write("skipped: no numpy here\n")
        for f in os.listdir(os.path.join(out2, "brackets")):
            if f.startswith("memory_profiler"):
                os.remove(os.path.join(out2, "brackets", f))
        with open(os.path.join(out2, "brackets", "status.txt"), "w") as f:
            f.write("memory_profiler=not installed\n")
        for root, _, files in os.walk(out2):
            for f in files:
                if f.endswith(".png"):
                    os.remove(os.path.join(root, f))
        rc = subprocess.call([sys.executable, os.path.join(SRC, "scripts", "report.py"),
                              "--mprof", mprof, out2])
        check(rc == 0, "report.py on the reduced folder exited %d" % rc)
        md2, imgs2 = check_report(out2, False)
        check(imgs2 == ["cost/collection-time.svg"],
              "no plot referenced when there is none, only report.py's own cost chart: %s" % imgs2)
        check("memory_profiler is not installed here (not installed)" in md2,
              "the reduced report says memory_profiler is not installed")
        check(md2.count("skipped: no numpy here") == len(report.EXPERIMENTS),
              "the reduced report gives each Python run's status")

        # Usage errors.
        rp = os.path.join(SRC, "scripts", "report.py")
        check(subprocess.call([sys.executable, rp, "--mprof", mprof],
                              stderr=subprocess.DEVNULL) == 2,
              "report.py without a folder: exit 2")
        check(subprocess.call([sys.executable, rp, out2], stderr=subprocess.DEVNULL) == 2,
              "report.py without --mprof: exit 2")
        check(subprocess.call([sys.executable, rp, "--mprof", mprof, os.path.join(tmp, "nope")],
                              stderr=subprocess.DEVNULL) == 1,
              "report.py on a missing folder: exit 1")
        check(subprocess.call([sys.executable, rp, "--mprof", os.path.join(tmp, "nope"), out2],
                              stderr=subprocess.DEVNULL) == 1,
              "report.py with an mprof that is not there: exit 1")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
