#!/usr/bin/python3
"""report.py - the demo's report: what each experiment showed, and the tutorial's three answers.

Usage: report.py --mprof MPROF OUT_DIR

Reads the folder scripts/demo filled (docs/experiments.md, "The demo's folder") and writes
OUT_DIR/report.md (Markdown, pictures by relative path) and OUT_DIR/report.html (the same,
rendered by python3-markdown, Debian's Markdown converter; each picture the page's full width
and a link to open it at its own size). The page's pictures are one copy each, in
OUT_DIR/report-img/: the PNG plots reduced to 256 colours by python3-pil (libimagequant, no
dithering: 15-20 KB where mprof's fast encoder writes 60-85 KB, and the eye sees no
difference), the SVG chart as it is; report.html and they stay under 500 KB (a test checks). Every number in the report is read from the files of that run: the .dat profiles
(each read by `MPROF export --format json`, mprof's own reader), the experiments' own output
and the cost tables. Python 3's standard library, python3-markdown and python3-pil.

The module is also imported by the tests (tests/cli/examples/): read_profile, read_log, facts
and check_shape are its contract with them.
"""
import html
import json
import os
import re
import shutil
import subprocess
import sys

CONVERT = ("import json, sys, markdown\n"
           "m = markdown.Markdown(extensions=['tables', 'fenced_code'], output_format='html')\n"
           "out = []\n"
           "for t in json.load(sys.stdin):\n"
           "    m.reset()\n"
           "    out.append(m.convert(t))\n"
           "json.dump(out, sys.stdout)\n")


def render_markdown(texts):
    """Each Markdown text as HTML, by python3-markdown: in this interpreter when it has the
    module, else in Debian's /usr/bin/python3 (another python3 may come first in PATH)."""
    try:
        import markdown  # noqa: F401
        python = sys.executable
    except ImportError:
        python = "/usr/bin/python3"
    res = subprocess.run([python, "-c", CONVERT], input=json.dumps(texts), capture_output=True,
                         text=True, check=False)
    if res.returncode != 0:
        raise RuntimeError("python3-markdown: %s" % res.stderr.strip().splitlines()[-1:])
    return json.loads(res.stdout)


# Each [source, destination] PNG reduced to a 256-colour palette (libimagequant, no dithering:
# text and lines stay crisp) and written as an optimised PNG.
QUANTIZE = ("import json, sys\n"
            "from PIL import Image\n"
            "for src, dst in json.load(sys.stdin):\n"
            "    im = Image.open(src).convert('RGB')\n"
            "    try:\n"
            "        q = im.quantize(256, method=Image.Quantize.LIBIMAGEQUANT,\n"
            "                        dither=Image.Dither.NONE)\n"
            "    except ValueError:  # a Pillow without libimagequant\n"
            "        q = im.quantize(256, method=Image.Quantize.MEDIANCUT,\n"
            "                        dither=Image.Dither.NONE)\n"
            "    q.save(dst, 'PNG', optimize=True)\n")

IMG_DIR = "report-img"


def report_images(doc, out):
    """The page's copy of each picture, in OUT/report-img: {picture: its copy, relative to
    OUT}. PNGs reduced by python3-pil (in this interpreter or Debian's /usr/bin/python3); when
    neither has it, copied as they are, and said on stderr."""
    d = os.path.join(out, IMG_DIR)
    shutil.rmtree(d, ignore_errors=True)
    os.mkdir(d)
    copies, pngs = {}, []
    for p in doc.images():
        rel = IMG_DIR + "/" + p.replace("/", "-")
        copies[p] = rel
        if p.endswith(".png"):
            pngs.append([os.path.join(out, p), os.path.join(out, rel)])
        else:
            shutil.copyfile(os.path.join(out, p), os.path.join(out, rel))
    if not pngs:
        return copies
    try:
        import PIL  # noqa: F401
        python = sys.executable
    except ImportError:
        python = "/usr/bin/python3"
    res = subprocess.run([python, "-c", QUANTIZE], input=json.dumps(pngs), capture_output=True,
                         text=True, check=False)
    if res.returncode != 0:
        sys.stderr.write("report.py: pictures not reduced (python3-pil: %s); copied as they are\n"
                         % (res.stderr.strip().splitlines() or ["?"])[-1])
        for src, dst in pngs:
            shutil.copyfile(src, dst)
    return copies

# (number, file stem, title, the tutorial's script)
EXPERIMENTS = [
    (1, "exp1_baseline", "Baseline", "baseline.py"),
    (2, "exp2_gc_disabled", "gc disabled", "gc.py"),
    (3, "exp3_disabled_cycle", "gc disabled, with a cycle", "gc_cr.py"),
    (4, "exp4_cycle", "A cycle with gc enabled", "cr_only.py"),
    (5, "exp5_manual", "A manual collection", "manual_gc_cr.py"),
    (6, "exp6_auto", "Automatic collection (not in the tutorial)", None),
]
LANGS = [("c", "C on rcgc"), ("python", "Python")]

# Sections every report has, in order (the tests check them).
SECTIONS = [
    "The run",
    "The experiments",
    "Why did the brackets vanish when gc was disabled?",
    "When does the cycle collector run?",
    "Is a collection expensive?",
    "Files",
]

TOLERANCE = 0.05  # "within 5% of where it started"


# --------------------------------------------------------------------------------------------
# Reading the run


class ProfileError(Exception):
    """A profile `mprof export` could not read (its message), or mprof could not be run."""


class Profile:
    """What the report uses of a .dat profile, as `mprof export --format json` gives it
    (docs/plot.md): samples, peaks, brackets (level -1: a legacy 5-field FUNC), collections,
    exit. Times are seconds since the profile's start."""

    def __init__(self, js):
        self.mem = sorted((t, m) for t, m in js["samples"])      # (t, MiB)
        self.peaks = sorted((t, m) for t, m in js["peaks"])      # (t, MiB)
        self.funcs = sorted((dict(name=f["name"], m0=c["mem_start"], t0=c["start"],
                                  m1=c["mem_end"], t1=c["end"], level=c["level"], pid=c["pid"])
                             for f in js["functions"] for c in f["calls"]),
                            key=lambda b: b["t0"])
        self.gcs = sorted((dict(gen=g["gen"], m0=g["mem_start"], t0=g["start"],
                                m1=g["mem_end"], t1=g["end"], collected=g["collected"],
                                uncollectable=g["uncollectable"], candidates=g["candidates"])
                           for g in js["gc"]), key=lambda g: g["t0"])
        self.exit = (js["exit"]["status"], js["exit"]["t"]) if js["exit"] else None


def read_profile(mprof, path):
    """Reads a .dat file with `MPROF export --format json PATH` (mprof's own reader, so names
    come decoded). Raises ProfileError with mprof's message when it cannot."""
    try:
        p = subprocess.run([mprof, "export", "--format", "json", path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, encoding="utf-8", errors="replace")
    except OSError as e:
        raise ProfileError("cannot run %s: %s" % (mprof, e.strerror))
    if p.returncode != 0:
        lines = p.stderr.strip().splitlines()
        raise ProfileError(lines[0] if lines else "mprof export exited %d" % p.returncode)
    try:
        return Profile(json.loads(p.stdout))
    except (ValueError, KeyError, TypeError) as e:
        raise ProfileError("mprof export wrote something unexpected for %s: %s" % (path, e))


_NUM = r"(-?[0-9.]+(?:e[-+]?[0-9]+)?)"
_TRIPLE = r"\((-?\d+), (-?\d+), (-?\d+)\)"


def read_log(path):
    """Parses an experiment's output (the lines docs/experiments.md lists)."""
    log = dict(mib=None, hold=None, calls=[], collects=[], autos=[], threshold=None,
               enabled=None, per_call=None, lines=[])
    if not os.path.exists(path):
        return log
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            log["lines"].append(line)
            m = re.match(r"array " + _NUM + r" MiB \((\d+) int64\), held " + _NUM +
                         r" s, (\d+) calls", line)
            if m:
                log["mib"], log["hold"] = float(m.group(1)), float(m.group(3))
                continue
            m = re.match(r"call (\d+): mean " + _NUM + r", gc.get_count\(\) " + _TRIPLE, line)
            if m:
                log["calls"].append(dict(call=int(m.group(1)), mean=float(m.group(2)),
                                         count=tuple(int(m.group(i)) for i in (3, 4, 5))))
                continue
            m = re.match(r"gc.collect\(\): (\d+) unreachable objects, " + _NUM +
                         r" ms, (-?\d+) objects examined", line)
            if m:
                log["collects"].append(dict(found=int(m.group(1)), ms=float(m.group(2)),
                                            examined=int(m.group(3))))
                continue
            m = re.match(r"automatic collection during call (\d+): generation (\d+), (\d+) "
                         r"unreachable objects, " + _NUM + r" ms, (-?\d+) objects examined", line)
            if m:
                log["autos"].append(dict(call=int(m.group(1)), gen=int(m.group(2)),
                                         found=int(m.group(3)), ms=float(m.group(4)),
                                         examined=int(m.group(5))))
                continue
            m = re.match(r"gc.isenabled\(\) (\d), gc.get_threshold\(\) " + _TRIPLE +
                         r"(?:, (\d+) results kept per call)?", line)
            if m:
                log["enabled"] = int(m.group(1))
                log["threshold"] = tuple(int(m.group(i)) for i in (2, 3, 4))
                if m.group(5):
                    log["per_call"] = int(m.group(5))
    return log


def read_tsv(path):
    """The tables of gc_cost: {header: [row tuples of floats]}; missing file: {}."""
    tables, header = {}, None
    if not os.path.exists(path):
        return tables
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("#"):
                header = line.lstrip("# ").split("\t")[0]
                tables[header] = []
            elif line and header:
                try:
                    tables[header].append(tuple(float(x) for x in line.split("\t")))
                except ValueError:
                    pass
    return tables


def read_kv(path):
    """key=value lines (the demo's run.txt and status files)."""
    out = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                k, sep, v = line.rstrip("\n").partition("=")
                if sep:
                    out[k.strip()] = v.strip()
    return out


def read_text(path, default=""):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return default


# --------------------------------------------------------------------------------------------
# Facts and shapes


def is_compute(name):
    return name == "compute" or name.endswith(".compute")


def facts(d, mib=None):
    """What a run measured: memory before the first call, each call's start, peak and end,
    the memory at the end, and the collections (before, during, between and after the
    calls)."""
    calls = [b for b in d.funcs if is_compute(b["name"])]
    f = dict(calls=[], before=None, end=None, peak=None, gcs_before=[], gcs_during=[],
             gcs_between=[], gcs_after=[], mib=mib, exit=d.exit)
    samples = d.mem + d.peaks
    f["peak"] = max((m for _, m in samples), default=None)
    f["end"] = d.mem[-1][1] if d.mem else None
    if calls:
        f["before"] = calls[0]["m0"]
    for i, b in enumerate(calls):
        inside = [m for t, m in samples if b["t0"] <= t <= b["t1"]]
        f["calls"].append(dict(i=i + 1, m0=b["m0"], m1=b["m1"], t0=b["t0"], t1=b["t1"],
                               peak=max(inside + [b["m0"], b["m1"]])))
    for g in d.gcs:
        g = dict(g, ms=(g["t1"] - g["t0"]) * 1e3, call=None)
        if not calls or g["t0"] < calls[0]["t0"]:
            f["gcs_before"].append(g)
        elif g["t0"] > calls[-1]["t1"]:
            f["gcs_after"].append(g)
        else:
            for c in f["calls"]:
                if c["t0"] <= g["t0"] <= c["t1"]:
                    g["call"] = c["i"]
            (f["gcs_during"] if g["call"] else f["gcs_between"]).append(g)
    return f


def near(a, b, tol=TOLERANCE, slack=0.0):
    return abs(a - b) <= tol * b + slack


def check_shape(n, f):
    """The shape experiment n should have: a list of (ok, sentence). Needs f['mib']; f['slack']
    (MiB, default 0) widens the "back where it started" checks, for a program whose own
    bookkeeping keeps memory of its own (AddressSanitizer's shadow of a freed mapping)."""
    A = f["mib"]
    slack = f.get("slack", 0.0)
    out = []
    calls = f["calls"]
    want_calls = 6 if n == 6 else 3
    if len(calls) < want_calls:
        return [(False, "%d compute brackets in the profile, %d expected" % (len(calls), want_calls))]
    if n in (1, 2):
        for c in calls:
            out.append((near(c["m1"], c["m0"], slack=slack),
                        "call %d ends at %.2f MiB, within 5%% of its start (%.2f MiB)"
                        % (c["i"], c["m1"], c["m0"])))
        out.append((f["peak"] >= f["before"] + 0.8 * A,
                    "the highest memory (%.2f MiB) is at least 0.8 arrays (%.2f MiB) above the "
                    "start (%.2f MiB)" % (f["peak"], 0.8 * A, f["before"])))
    elif n in (3, 4):
        for c in calls:
            grow = c["m1"] - c["m0"]
            out.append((0.8 * A <= grow <= 1.2 * A,
                        "call %d keeps %.2f MiB, about one array (%.2f MiB)" % (c["i"], grow, A)))
        if n == 4:
            out.append((not f["gcs_during"],
                        "no collection ran during the calls (%d did)" % len(f["gcs_during"])))
    elif n == 5:
        for c in calls[:2]:
            grow = c["m1"] - c["m0"]
            out.append((0.8 * A <= grow <= 1.2 * A,
                        "call %d keeps %.2f MiB, about one array (%.2f MiB)" % (c["i"], grow, A)))
        manual = [g for g in f["gcs_between"] if calls[1]["t1"] <= g["t0"] <= calls[2]["t0"]]
        if not manual:
            out.append((False, "no collection between call 2 and call 3"))
        else:
            g = manual[-1]
            out.append((g["collected"] >= 2,
                        "the collection before call 3 freed %d objects (the two cycles' lists: "
                        "at least 2)" % g["collected"]))
            out.append((near(g["m1"], f["before"], slack=slack),
                        "after it memory is %.2f MiB, within 5%% of the level before the first "
                        "call (%.2f MiB)" % (g["m1"], f["before"])))
    elif n == 6:
        out.append((bool(f["gcs_during"]),
                    "%d collections ran by themselves during the calls" % len(f["gcs_during"])))
        drops = [g for g in f["gcs_during"] if g["m0"] - g["m1"] >= 0.8 * A]
        out.append((bool(drops), "%d of them freed at least 0.8 arrays (%.2f MiB)"
                    % (len(drops), 0.8 * A)))
    return out


# --------------------------------------------------------------------------------------------
# A small document model, rendered as Markdown and as HTML


class Doc:
    def __init__(self):
        self.blocks = []

    def h(self, level, text):
        self.blocks.append(("h", level, text))

    def p(self, text):
        self.blocks.append(("p", text))

    def ul(self, items):
        self.blocks.append(("ul", list(items)))

    def table(self, header, rows):
        self.blocks.append(("table", header, rows))

    def img(self, path, alt):
        self.blocks.append(("img", path, alt))

    def code(self, text, lang=""):
        self.blocks.append(("code", lang, text.rstrip("\n")))

    def images(self):
        return [b[1] for b in self.blocks if b[0] == "img"]


def md_cell(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def to_markdown(doc):
    out = []
    for b in doc.blocks:
        if b[0] == "h":
            out.append("#" * b[1] + " " + b[2])
        elif b[0] == "p":
            out.append(b[1])
        elif b[0] == "ul":
            out.append("\n".join("- " + i for i in b[1]))
        elif b[0] == "table":
            rows = [b[1], ["---"] * len(b[1])] + b[2]
            out.append("\n".join("| " + " | ".join(md_cell(c) for c in r) + " |" for r in rows))
        elif b[0] == "img":
            out.append("![%s](%s)" % (b[2], b[1]))
        elif b[0] == "code":
            out.append("```%s\n%s\n```" % (b[1], b[2]))
    return "\n\n".join(out) + "\n"


def escape_text(s):
    """Text for Markdown that must stay text: HTML's special characters escaped outside
    `code` spans (Markdown escapes those itself)."""
    parts = re.split(r"(`[^`]*`)", s)
    return "".join(p if len(p) >= 2 and p[0] == "`" and p[-1] == "`" else html.escape(p, quote=False)
                   for p in parts)


def md_block(b):
    """One block as Markdown for the HTML page (text escaped, see escape_text)."""
    d = Doc()
    if b[0] == "h":
        d.h(b[1], escape_text(b[2]))
    elif b[0] == "p":
        d.p(escape_text(b[1]))
    elif b[0] == "ul":
        d.ul([escape_text(i) for i in b[1]])
    elif b[0] == "table":
        d.table([escape_text(str(c)) for c in b[1]], [[escape_text(str(c)) for c in r] for r in b[2]])
    else:
        d.blocks.append(b)
    return to_markdown(d)


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


STYLE = ("body{font-family:sans-serif;max-width:76em;margin:2em auto;padding:0 1em;"
         "line-height:1.45;color:#222}table{border-collapse:collapse;margin:1em 0}"
         "td,th{border:1px solid #bbb;padding:.25em .6em;text-align:right}"
         "td:first-child,th:first-child{text-align:left}"
         "figure{margin:1em 0}figure img{width:100%;height:auto;border:1px solid #ddd}"
         "figcaption{font-size:.9em;color:#555}pre{background:#f5f5f5;padding:.8em;"
         "overflow-x:auto}code{background:#f5f5f5}")


def to_html(doc, title, pictures=None):
    """The report as one page: Markdown rendered by python3-markdown, each picture shown at
    the page's full width (plots are 1000 px wide: their text stays readable) inside a link to
    the same file, to open it at its own size. `pictures` maps a picture to the file the page
    shows (report_images); a picture not in it is shown from where it is."""
    pictures = pictures or {}
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>%s</title>" % html.escape(title), "<style>%s</style></head><body>" % STYLE]
    texts = [escape_text(b[2]) if b[0] == "img" else md_block(b) for b in doc.blocks]
    htmls = render_markdown(texts)
    for b, rendered in zip(doc.blocks, htmls):
        if b[0] == "img":
            src = html.escape(pictures.get(b[1], b[1]), quote=True)
            caption = re.sub(r"^<p>(.*)</p>$", r"\1", rendered, flags=re.S)
            out.append('<figure><a href="%s" title="open at full size"><img alt="%s" '
                       'src="%s"></a><figcaption>%s</figcaption>'
                       '</figure>' % (src, html.escape(b[2], quote=True), src, caption))
            continue
        if b[0] == "h":  # an anchor to link to
            rendered = re.sub(r"^<h(\d)>", lambda m: '<h%s id="%s">' % (m.group(1), slug(b[2])),
                              rendered)
        out.append(rendered)
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------
# The report


def mib(x):
    return "-" if x is None else "%.2f MiB" % x


def ms(x):
    if x is None:
        return "-"
    return "%.3f ms" % x if x < 10 else "%.1f ms" % x


class Run:
    """Everything the demo left in OUT_DIR."""

    def __init__(self, out, mprof):
        self.out = out
        self.mprof = mprof
        self.info = read_kv(os.path.join(out, "run.txt"))
        self.runs = {}   # (lang, n) -> dict(dat, log, facts, png, status)
        for lang, _ in LANGS:
            for n, stem, _, _ in EXPERIMENTS:
                base = os.path.join(out, lang, stem)
                r = dict(stem=stem, lang=lang, n=n, dat=None, log=read_log(base + ".log"),
                         facts=None, png=None, status=read_text(base + ".status").strip())
                if os.path.exists(base + ".dat"):
                    try:
                        r["dat"] = read_profile(mprof, base + ".dat")
                        r["facts"] = facts(r["dat"], r["log"]["mib"])
                    except ProfileError as e:
                        r["status"] = "; ".join(x for x in (r["status"], "unreadable: %s" % e) if x)
                if os.path.exists(base + ".png"):
                    r["png"] = os.path.join(lang, stem + ".png")
                self.runs[(lang, n)] = r

    def get(self, lang, n):
        return self.runs.get((lang, n))

    def has(self, lang, n):
        r = self.get(lang, n)
        return bool(r and r["facts"] and r["facts"]["calls"])

    def plot_note(self, lang, stem):
        """Why a picture is missing (the first line of what mprof plot said)."""
        err = read_text(os.path.join(self.out, lang, stem + ".plot.err")).strip()
        return err.splitlines()[0] if err else "no picture was made"


def describe_calls(f):
    return ", ".join("%.1f→%.1f→%.1f" % (c["m0"], c["peak"], c["m1"]) for c in f["calls"])


def experiment_section(doc, run, n, stem, title, tutorial):
    doc.h(3, "%d. %s" % (n, title))
    src = "`examples/%s.c` and `examples/python/%s.py`" % (stem, stem)
    if tutorial:
        doc.p("The tutorial's `%s`, as %s." % (tutorial, src))
    else:
        doc.p("Not in the tutorial: %s." % src)
    rows = []
    for lang, label in LANGS:
        r = run.get(lang, n)
        if not run.has(lang, n):
            rows.append([label, r["status"] or "not run", "", "", "", "", ""])
            continue
        f = r["facts"]
        colls = f["gcs_during"] + f["gcs_between"]
        after = f["gcs_after"]
        rows.append([label, mib(f["before"]), describe_calls(f), mib(f["end"]),
                     "%d (%s)" % (len(colls), ", ".join("gen %d: %s" % (g["gen"], ms(g["ms"]))
                                                        for g in colls)) if colls else "0",
                     str(len(f["gcs_before"])),
                     ", ".join("gen %d: %.1f→%.1f MiB" % (g["gen"], g["m0"], g["m1"])
                               for g in after) or "none"])
    doc.table(["", "before the first call", "each call: start→peak→end (MiB)",
               "last sample", "collections during/between the calls",
               "collections before the first call", "collections at exit"], rows)
    for lang, label in LANGS:
        r = run.get(lang, n)
        if r["png"]:
            doc.img(r["png"], "%s: experiment %d, %s" % (label, n, title))
        elif run.has(lang, n):
            doc.p("(%s: no picture: %s.)" % (label, run.plot_note(lang, stem)))
    doc.p(explain(run, n))
    for lang, label in LANGS:
        if not run.has(lang, n):
            continue
        checks = check_shape(n, run.get(lang, n)["facts"])
        bad = [t for ok, t in checks if not ok]
        if bad:
            doc.p("**%s: not the expected shape**: %s." % (label, "; ".join(bad)))
        else:
            doc.p("%s: the expected shape, checked: %s." % (label, "; ".join(t for _, t in checks)))


def explain(run, n):
    """A few sentences on what experiment n shows, with this run's numbers."""
    c = run.get("c", n)
    cf = c["facts"] if run.has("c", n) else None
    py = run.get("python", n)
    pf = py["facts"] if run.has("python", n) else None
    f = cf or pf
    if not f:
        return "This experiment did not run."
    A = f["mib"]

    def each(fmt):
        """fmt(facts) for C and Python: 'X in C, Y in Python'."""
        parts = []
        for ff, label in ((cf, "in C"), (pf, "in Python")):
            if ff:
                parts.append("%s %s" % (fmt(ff), label))
        return " and ".join(parts)

    ends = lambda ff: "/".join("%.2f" % x["m1"] for x in ff["calls"]) + " MiB"
    starts = lambda ff: "/".join("%.2f" % x["m0"] for x in ff["calls"]) + " MiB"
    if n == 1:
        return ("Each call fills a %.0f MiB array and holds it: memory rises by one array, then "
                "falls back before the bracket closes: the calls start at %s and end at %s. "
                "Reference counting freed the array the moment `compute()` dropped its last "
                "reference, still inside the function, which is why the drop lies within the "
                "bracket." % (A, each(starts), each(ends)))
    if n == 2:
        return ("Disabling the collector changed nothing: the calls end at %s, as in the "
                "baseline. `gc.disable()` (`rc_gc_disable`) stops only the *cycle* collector; "
                "reference counting is not a collector that can be switched off, and these "
                "arrays are freed by it. (Where the Python run's brackets come from, when "
                "memory_profiler lost them, is the first question below.)" % each(ends))
    if n in (3, 4):
        grows = lambda ff: "/".join("%.2f" % (x["m1"] - x["m0"]) for x in ff["calls"]) + " MiB"
        climb = lambda ff: "%.2f→%.2f MiB" % (ff["before"], ff["calls"][-1]["m1"])
        s = ("The list holds the array and itself, so after the call its count never reaches "
             "zero: each call leaves about one %.0f MiB array behind (%s), and memory climbs "
             "(%s)." % (A, each(grows), each(climb)))
        if n == 3:
            return s + (" Only the cycle collector could find those lists, and it is disabled; "
                        "they are freed at exit, if at all (last column).")
        counts = []
        for r, label in ((c, "rcgc"), (py, "CPython")):
            if r and r["log"]["calls"] and r["log"]["threshold"]:
                counts.append("%s %s against a threshold of %d" % (
                    label, ", ".join(str(x["count"][0]) for x in r["log"]["calls"]),
                    r["log"]["threshold"][0]))
        return (s + " The collector is enabled, yet it never ran during the calls: it runs only "
                "when the count of container allocations minus deallocations exceeds threshold "
                "0, and each call allocates one container (the list; an array holds no "
                "references and is not tracked). `gc.get_count()[0]` after each call: %s."
                % "; ".join(counts))
    if n == 5:
        parts = []
        for r, label in ((c, "rcgc"), (py, "CPython")):
            if not (r and r["facts"] and r["log"]["collects"]):
                continue
            col = r["log"]["collects"][0]
            g = [x for x in r["facts"]["gcs_between"]]
            drop = ("memory went from %s to %s (before the first call: %s)"
                    % (mib(g[-1]["m0"]), mib(g[-1]["m1"]), mib(r["facts"]["before"]))) if g else ""
            parts.append("%s: `gc.collect()` found %d unreachable objects in %s, examining %d "
                         "tracked objects; %s" % (label, col["found"], ms(col["ms"]),
                                                  col["examined"], drop))
        return ("The two cycles left by the first two calls are unreachable: the manual "
                "collection finds them and frees them with their arrays, and memory drops back "
                "to where it was before the first call. " + ". ".join(parts) + ".")
    if n == 6:
        parts = []
        for r, label in ((c, "rcgc"), (py, "CPython")):
            if not (r and r["facts"]):
                continue
            lg = r["log"]
            gd = r["facts"]["gcs_during"]
            if lg["threshold"] and lg["per_call"]:
                parts.append("%s (threshold %d, %d results kept per call): %d automatic "
                             "collections, during calls %s, each dropping memory by %s" % (
                                 label, lg["threshold"][0], lg["per_call"], len(gd),
                                 ", ".join(str(g["call"]) for g in gd) or "none",
                                 ", ".join("%.1f" % (g["m0"] - g["m1"]) for g in gd) + " MiB"))
        return ("Besides its cycle, each call keeps small results (a list each) after its big "
                "work. Those container allocations push `gc.get_count()[0]` over threshold 0 "
                "about every second call, and the collector runs by itself, inside the "
                "allocation that crossed it; by then the cycles of the earlier calls are "
                "unreachable, and it frees them: the saw-tooth, each drop at a GC mark. "
                + "; ".join(parts) + ".")
    return ""


def brackets_section(doc, run):
    doc.h(2, SECTIONS[2])
    bdir = os.path.join(run.out, "brackets")
    status = read_kv(os.path.join(bdir, "status.txt"))
    ours = run.get("python", 2)
    ours_n = len([b for b in ours["dat"].funcs if is_compute(b["name"])]) if ours["dat"] else None
    mp_state = status.get("memory_profiler", "not found")
    mp2 = mp1 = None
    if mp_state == "ok":
        try:
            mp2 = read_profile(run.mprof, os.path.join(bdir, "memory_profiler-exp2.dat"))
        except ProfileError as e:
            mp_state = "its profile is unreadable: %s" % e
        mp1p = os.path.join(bdir, "memory_profiler-exp1.dat")
        try:
            mp1 = read_profile(run.mprof, mp1p) if os.path.exists(mp1p) else None
        except ProfileError:
            pass
    if mp_state != "ok":
        if mp_state.startswith("not installed"):
            doc.p("memory_profiler is not installed here (%s), so its run could not be shown. "
                  % mp_state)
        else:
            doc.p("memory_profiler's run could not be made here (%s). " % mp_state)
        if ours_n is not None:
            doc.p("Ours on the gc-disabled script kept %d brackets." % ours_n)
    else:
        o1 = run.get("python", 1)["dat"]
        rows = [["memory_profiler's mprof (`%s`)" % status.get("memory_profiler_cmd", ""),
                 str(len(mp2.funcs)), str(len(mp2.mem)), str(len(mp1.funcs)) if mp1 else "-"],
                ["ours (`mprof run`)", "-" if ours_n is None else str(ours_n),
                 str(len(ours["dat"].mem)) if ours["dat"] else "-",
                 str(len([b for b in o1.funcs if is_compute(b["name"])])) if o1 else "-"]]
        doc.table(["profiler", "brackets (FUNC lines), experiment 2: gc disabled",
                   "memory samples (MEM lines), experiment 2",
                   "brackets, experiment 1: gc enabled"], rows)
        lost = len(mp2.funcs) == 0 and bool(mp2.mem)
        if lost:
            doc.p("memory_profiler sampled the gc-disabled script (%d samples) but wrote none of "
                  "its %s brackets%s; ours kept them all." % (
                      len(mp2.mem), ours_n if ours_n else "",
                      (", while on the baseline script it wrote %d" % len(mp1.funcs)) if mp1 else ""))
        else:
            doc.p("In this run memory_profiler wrote %d brackets for the gc-disabled script: the "
                  "loss did not happen here." % len(mp2.funcs))
        for n, what in ((2, "experiment 2 (gc disabled)"), (1, "experiment 1 (gc enabled)")):
            own = "memory_profiler-exp%d.mp.png" % n
            ours_pic = "memory_profiler-exp%d.png" % n
            if os.path.exists(os.path.join(bdir, own)):
                doc.img("brackets/" + own, "memory_profiler's own plot of its run of " + what)
            elif os.path.exists(os.path.join(bdir, ours_pic)):
                doc.img("brackets/" + ours_pic, "memory_profiler's run of %s, drawn by our "
                        "mprof plot (memory_profiler could not plot here)" % what)
        if ours["png"]:
            doc.img(ours["png"], "ours: experiment 2 in Python, every bracket kept")
        doc.p("Why: memory_profiler's mprof runs `python -m memory_profiler` on the script. Its "
              "`@profile` keeps every bracket in memory and, when the script ends, writes them "
              "all into an output file it opens and never closes: the text sits in that file "
              "object's buffer. The file object is held by a module's globals (memory_profiler "
              "runs as `__main__`), and a module's globals and the functions defined in it "
              "refer to each other: a reference cycle, which only the cycle collector frees. "
              "At interpreter exit only the collector's last pass would finalize the file and "
              "flush its buffer, and after `gc.disable()` that pass does not run (here on "
              "CPython %s). The tutorial's own subject ate its brackets."
              % run.info.get("python_version", "?"))
    rep = read_text(os.path.join(bdir, "repro.py"))
    results = read_kv(os.path.join(bdir, "repro.txt"))
    if rep and results:
        doc.p("The same thing in a few lines of Python (`examples/python/brackets_repro.py`), "
              "run here with `%s` in four combinations:" % run.info.get("python", "python3"))
        doc.code(rep, "python")
        rows = [[k.split(",")[0], k.split(",")[1], v] for k, v in sorted(results.items())]
        doc.table(["collector", "the module defines a function (a cycle)",
                   "bytes on disk at exit"], rows)
        lost = [r for r in rows if r[2] == "0"]
        if len(lost) == 1 and lost[0][0].endswith("disabled") and lost[0][1] == "yes":
            doc.p("Only the combination lost the line: with the cycle and the collector "
                  "enabled, the collector's pass at exit freed the file and flushed it; with no "
                  "cycle, the module's dict was emptied at exit and reference counting freed the "
                  "file, collector or not.")
        else:
            doc.p("In this run the data was lost in %d of the four combinations (%s): not the "
                  "pattern described above." % (len(lost), "; ".join(
                      "%s, function %s" % (r[0], r[1]) for r in lost) or "none"))
    else:
        doc.p("The reproduction did not run.")
    doc.p("Ours keeps them because it buffers nothing in the program: our Python bridge sends "
          "each bracket over the trace channel the moment it ends, one write per bracket "
          "(docs/trace-protocol.md), so disabling the collector, `os._exit` or a kill cannot "
          "lose a finished bracket. The C experiments' brackets (`MPROF_SCOPE`) are sent the "
          "same way.")


def when_section(doc, run):
    doc.h(2, SECTIONS[3])
    c4, p4, c6, p6 = run.get("c", 4), run.get("python", 4), run.get("c", 6), run.get("python", 6)
    th_c = c4["log"]["threshold"] or c6["log"]["threshold"]
    th_p = p4["log"]["threshold"] or p6["log"]["threshold"]
    doc.p("Automatically, only when `gc.get_count()[0]`, the number of container allocations "
          "minus deallocations since the last collection, exceeds threshold 0 of "
          "`gc.get_threshold()`. Then the oldest generation whose own count is over its "
          "threshold is collected: generation 1 once more than 10 young collections ran since "
          "its last one (threshold 1), generation 2 once more than 10 generation-1 collections "
          "ran (threshold 2), and then only when the objects that survived into it since its "
          "last collection are over 25% of those that survived that one. CPython 3.11 runs the collection "
          "inside the allocation that crossed the threshold; 3.12 and later run it at the next "
          "bytecode boundary; rcgc runs it inside the allocation, or at `rc_gc_safepoint()` "
          "when the runtime was made with `RC_RUNTIME_DEFERRED_GC`.")
    rows = []
    for r, label, th in ((c4, "rcgc", th_c), (p4, "CPython %s" % run.info.get("python_version", ""), th_p)):
        if r["log"]["calls"]:
            rows.append([label + ", experiment 4", str(th) if th else "-",
                         ", ".join(str(x["count"]) for x in r["log"]["calls"]),
                         str(len(r["facts"]["gcs_during"])) if r["facts"] else "-"])
    for r, label, th in ((c6, "rcgc", th_c), (p6, "CPython %s" % run.info.get("python_version", ""), th_p)):
        if r["log"]["calls"]:
            rows.append([label + ", experiment 6", str(th) if th else "-",
                         ", ".join(str(x["count"]) for x in r["log"]["calls"]),
                         str(len(r["facts"]["gcs_during"])) if r["facts"] else "-"])
    if rows:
        doc.table(["run", "gc.get_threshold()", "gc.get_count() after each call",
                   "automatic collections during the calls"], rows)
    bullets = []
    if run.has("c", 4) and c4["log"]["calls"]:
        bullets.append("Experiment 4 (rcgc): one container per call, the count went %s, far "
                       "from %s: no collection, and the cycles piled up." % (
                           ", ".join(str(x["count"][0]) for x in c4["log"]["calls"]),
                           th_c[0] if th_c else "the threshold"))
    if run.has("python", 4) and p4["log"]["calls"]:
        bullets.append("Experiment 4 (CPython): after one `gc.collect()` the count went %s (the "
                       "interpreter allocates a few containers of its own) against %s." % (
                           ", ".join(str(x["count"][0]) for x in p4["log"]["calls"]),
                           th_p[0] if th_p else "the threshold"))
        gb = p4["facts"]["gcs_before"]
        gens = [sum(1 for g in gb if g["gen"] == k) for k in range(3)]
        bullets.append("Before the first call, importing numpy and starting up ran the CPython "
                       "collector %d times by itself (%d of generation 0, %d of generation 1, %d "
                       "of generation 2, counting our `gc.collect()`): a program that allocates "
                       "containers gets collections without asking." % ((len(gb),) + tuple(gens)))
    for r, label in ((c6, "rcgc"), (p6, "CPython")):
        if not (r["facts"] and r["log"]["autos"]):
            continue
        a = r["log"]["autos"][0]
        before = [x for x in r["log"]["calls"] if x["call"] == a["call"] - 1]
        bullets.append("Experiment 6 (%s): after call %d the count was %s; during call %d the "
                       "kept results pushed it over %s and a generation-%d collection ran by "
                       "itself: %d unreachable objects found (the cycles' lists) in %s, "
                       "objects examined: %s. %d such runs in all, at calls %s." % (
                           label, a["call"] - 1, before[0]["count"][0] if before else "?",
                           a["call"], r["log"]["threshold"][0] if r["log"]["threshold"] else "?",
                           a["gen"], a["found"], ms(a["ms"]),
                           a["examined"] if a["examined"] >= 0 else "not reported by CPython before 3.15",
                           len(r["log"]["autos"]),
                           ", ".join(str(x["call"]) for x in r["log"]["autos"])))
    if bullets:
        doc.ul(bullets)
    doc.p("So in the tutorial's cycle experiments the collector was on but had no reason to run: "
          "three allocations never reach a threshold of hundreds or thousands. Big arrays do not "
          "count at all: the trigger counts objects, not bytes.")


def cost_svg(path, series):
    """Writes a small log-log chart of full-collection time against tracked objects.
    series: [(label, colour, [(objects, ms), ...])]. Returns False when there is nothing."""
    import math
    pts = [(x, y) for _, _, ps in series for x, y in ps if x > 0 and y > 0]
    if len(pts) < 2:
        return False
    W, H, L, R, T, B = 560, 340, 70, 150, 20, 50
    lx = [math.log10(x) for x, _ in pts]
    ly = [math.log10(y) for _, y in pts]
    x0, x1 = math.floor(min(lx) + 0.05), math.ceil(max(lx) - 0.05)
    y0, y1 = math.floor(min(ly) + 0.05), math.ceil(max(ly) - 0.05)
    x1, y1 = max(x1, x0 + 1), max(y1, y0 + 1)

    def X(v):
        return L + (math.log10(v) - x0) / (x1 - x0) * (W - L - R)

    def Y(v):
        return H - B - (math.log10(v) - y0) / (y1 - y0) * (H - T - B)

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="11">' % (W, H),
           '<rect width="100%" height="100%" fill="white"/>']
    for e in range(x0, x1 + 1):
        x = X(10 ** e)
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>' % (x, T, x, H - B))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (x, H - B + 15, "{:,}".format(10 ** e)))
    for e in range(y0, y1 + 1):
        y = Y(10 ** e)
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (L, y, W - R, y))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%g ms</text>' % (L - 5, y + 4, 10.0 ** e))
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#555"/>'
               % (L, T, W - L - R, H - T - B))
    out.append('<text x="%d" y="%d" text-anchor="middle">tracked objects</text>'
               % ((L + W - R) // 2, H - 12))
    for i, (label, colour, ps) in enumerate(series):
        ps = [(x, y) for x, y in ps if x > 0 and y > 0]
        if not ps:
            continue
        out.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>'
                   % (colour, " ".join("%.1f,%.1f" % (X(x), Y(y)) for x, y in ps)))
        for x, y in ps:
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (X(x), Y(y), colour))
        ly_ = T + 15 + 18 * i
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>'
                   % (W - R + 10, ly_ - 4, W - R + 30, ly_ - 4, colour))
        out.append('<text x="%d" y="%d">%s</text>' % (W - R + 35, ly_, html.escape(label)))
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    return True


def cost_section(doc, run):
    doc.h(2, SECTIONS[4])
    rc = read_tsv(os.path.join(run.out, "cost", "rcgc.tsv"))
    cp = read_tsv(os.path.join(run.out, "cost", "cpython.tsv"))
    t_rc, t_cp = rc.get("tracked", []), cp.get("tracked", [])
    if not t_rc and not t_cp:
        doc.p("The cost measurements did not run.")
        return
    doc.p("A collection walks every tracked object (every container) of the generations it "
          "collects, garbage or not: its time grows with the number of tracked objects. "
          "`examples/gc_cost.c` and `examples/python/gc_cost.py` keep N small lists alive and "
          "time a full collection (best of three) and a generation-0 collection right after:")
    rows = []
    for row in t_rc:
        rows.append(["rcgc", "%d" % row[0], ms(row[1]), "%.1f" % row[2], ms(row[4])])
    for row in t_cp:
        rows.append(["CPython %s" % run.info.get("python_version", ""), "%d" % row[0], ms(row[1]),
                     "%.1f" % row[2], ms(row[4])])
    doc.table(["runtime", "tracked objects", "full collection", "ns per tracked object",
               "generation 0 right after"], rows)
    if cost_svg(os.path.join(run.out, "cost", "collection-time.svg"),
                [("rcgc", "#1f77b4", [(r[0], r[1]) for r in t_rc]),
                 ("CPython %s" % run.info.get("python_version", ""), "#ff7f0e",
                  [(r[0], r[1]) for r in t_cp])]):
        doc.img("cost/collection-time.svg", "full collection time against tracked objects, "
                "%s, log-log" % " and ".join(n for n, t in (("rcgc", t_rc), ("CPython", t_cp)) if t))
    f_rc, f_cp = rc.get("garbage_mib", []), cp.get("garbage_mib", [])
    if f_rc or f_cp:
        doc.p("But a collection also frees the garbage it finds, and giving big buffers back to "
              "the system takes time in proportion to their size. Two of the tutorial's cycles, "
              "holding arrays of each size, collected; and, for comparison, two such arrays in "
              "no cycle, freed by reference counting (their last reference dropped):")
        def rc_col(r):
            return ms(r[4]) if len(r) > 4 and r[0] > 0 else "-"
        rows = [["rcgc", "%g MiB" % r[0], ms(r[1]), "%d" % r[2], "%d" % r[3], rc_col(r)]
                for r in f_rc]
        rows += [["CPython", "%g MiB" % r[0], ms(r[1]), "%d" % r[2], "%d" % r[3], rc_col(r)]
                 for r in f_cp]
        doc.table(["runtime", "array in each cycle", "collection", "found", "tracked objects",
                   "the same arrays freed by refcounting"], rows)
    bullets = []
    if t_rc:
        per = [r[2] for r in t_rc]
        bullets.append("rcgc: %.1f to %.1f ns per tracked object here, so %s for %d objects."
                       % (min(per), max(per), ms(t_rc[-1][1]), t_rc[-1][0]))
    if t_cp:
        per = [r[2] for r in t_cp]
        bullets.append("CPython: %.1f to %.1f ns per tracked object, %s for %d objects."
                       % (min(per), max(per), ms(t_cp[-1][1]), t_cp[-1][0]))
    freeing_dominates = {}
    for table, label in ((f_rc, "rcgc"), (f_cp, "CPython")):
        if len(table) > 1:
            base, big = table[0], table[-1]
            added = max(0.0, big[1] - base[1])
            freeing_dominates[label] = added > base[1]
            s = ("%s, two cycles (%d tracked objects in all): collected in %s with nothing big "
                 "to free and in %s with two %g MiB arrays, %s more"
                 % (label, big[3], ms(base[1]), ms(big[1]), big[0], ms(added)))
            if len(big) > 4:
                s += ("; the same two arrays freed by reference counting took %s" % ms(big[4]))
            bullets.append(s + ".")
    for lang, label in LANGS:
        r = run.get(lang, 5)
        if r["log"]["collects"]:
            col = r["log"]["collects"][0]
            work = work_ms(run.get(lang, 1))
            s = ("Experiment 5 (%s): the manual collection took %s, with %d tracked objects to "
                 "walk and two %.0f MiB arrays to free" % (label, ms(col["ms"]), col["examined"],
                                                          r["log"]["mib"] or 0))
            if work is not None:
                s += ("; one call's own work (filling the array and taking its mean, without "
                      "the hold) took about %s in experiment 1" % ms(work))
            bullets.append(s + ".")
    for lang, label in LANGS:
        autos = [a for a in run.get(lang, 6)["log"]["autos"] if a["call"] > 0]
        if autos:
            bullets.append("Experiment 6 (%s): the automatic generation-0 collections took %s."
                           % (label, ", ".join(ms(a["ms"]) for a in autos)))
    doc.ul(bullets)
    where = [k for k, v in freeing_dominates.items() if v]
    ratios = []
    for lang, label in LANGS:
        col = run.get(lang, 5)["log"]["collects"]
        work = work_ms(run.get(lang, 1))
        if col and work:
            ratios.append("%.0f%% in %s" % (100.0 * col[0]["ms"] / work, label))
    compare = ("In experiment 5 the manual collection took %s of the time one call spends "
               "filling and averaging its array. " % " and ".join(ratios)) if ratios else ""
    per_obj = [r[2] for r in t_rc + t_cp]
    doc.p("Is that expensive? A collection's walk cost %.0f to %.0f ns per tracked object here, "
          "and a collection also pays for freeing the garbage it finds, as reference "
          "counting pays for what it frees (%s). %sWhat would be expensive is "
          "running it often: a full collection walks *all* tracked objects, so running one "
          "after every allocation would make a program quadratic. That is why the collector "
          "waits for a threshold of allocations, and why generations exist: a "
          "generation-0 collection walks only the objects allocated since the last one (the "
          "last column of the first table, and experiment 6's runs), and full collections are "
          "rationed by the 25%% rule." % (min(per_obj), max(per_obj),
              ("in this run the arrays added more to the collection than the walk took, for %s"
               % " and ".join(where)) if where else
              "in this run the walk took longer than what the arrays added", compare))


def work_ms(r):
    """Median time of a call's own work: bracket duration minus the hold."""
    if not (r and r["facts"] and r["facts"]["calls"] and r["log"]["hold"] is not None):
        return None
    d = sorted((c["t1"] - c["t0"] - r["log"]["hold"]) * 1e3 for c in r["facts"]["calls"])
    return max(0.0, d[len(d) // 2])


def build(out, mprof):
    run = Run(out, mprof)
    doc = Doc()
    info = run.info
    doc.h(1, "gclab: the garbage-collection tutorial, measured")
    doc.p("Generated by `scripts/report.py` from the files of one `make demo` run. Every number "
          "below was measured in that run; nothing is copied from elsewhere.")
    doc.h(2, SECTIONS[0])
    items = []
    for key, label in (("date", "date"), ("host", "machine"), ("mprof", "mprof"),
                       ("python", "Python for the experiments"), ("numpy", "numpy"),
                       ("memory_profiler", "memory_profiler"), ("mib", "array size (MiB)"),
                       ("hold", "hold per call (s)"), ("interval", "sampling period (s)"),
                       ("malloc", "malloc setting for the Python runs"), ("plot", "pictures"),
                       ("elapsed", "experiments and measurements took (s)")):
        if key in info:
            items.append("%s: %s" % (label, info[key]))
    if items:
        doc.ul(items)
    doc.p("Each experiment ran under `mprof run`; each picture is `mprof plot` of its `.dat`: "
          "the memory curve, a bracket per `compute()` call, and a mark for each collection "
          "that the runtime reported (GC lines).")
    doc.h(2, SECTIONS[1])
    for n, stem, title, tutorial in EXPERIMENTS:
        experiment_section(doc, run, n, stem, title, tutorial)
    brackets_section(doc, run)
    when_section(doc, run)
    cost_section(doc, run)
    doc.h(2, SECTIONS[5])
    doc.ul(["`c/` and `python/`: for each experiment its profile (`.dat`), its output (`.log`) "
            "and its plots (`.png`, `.svg`)",
            "`brackets/`: memory_profiler's runs, the reproduction script and its results",
            "`cost/`: the collection-cost tables (`rcgc.tsv`, `cpython.tsv`) and their chart",
            "`report.md` and `report.html`: this report"])
    return doc


def main(argv):
    if len(argv) != 4 or argv[1] != "--mprof" or argv[3].startswith("-"):
        sys.stderr.write("Usage: report.py --mprof MPROF OUT_DIR\n")
        return 2
    mprof, out = argv[2], argv[3]
    if not (os.path.isfile(mprof) and os.access(mprof, os.X_OK)):
        sys.stderr.write("report.py: cannot run '%s': not an executable file\n" % mprof)
        return 1
    if not os.path.isdir(out):
        sys.stderr.write("report.py: cannot read '%s': not a directory\n" % out)
        return 1
    doc = build(out, mprof)
    for p in doc.images():
        if not os.path.exists(os.path.join(out, p)):
            sys.stderr.write("report.py: picture '%s' is missing\n" % p)
            return 1
    md = to_markdown(doc)
    page = to_html(doc, "gclab: the garbage-collection tutorial, measured",
                   report_images(doc, out))
    for name, text in (("report.md", md), ("report.html", page)):
        tmp = os.path.join(out, name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, os.path.join(out, name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
