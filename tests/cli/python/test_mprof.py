"""Python programs end to end through the real binary: `mprof run` on the fixtures, then the
FUNC, GC and EXIT lines of the .dat it wrote. Also the interop check against memory_profiler's
own mprof (/usr/bin/python3-mprof), skipped where that is not installed.

Usage: test_mprof.py --mprof PATH [--python INTERPRETER] [unittest test names]
Exit status 77 (ctest SKIP_RETURN_CODE) when every test that ran was skipped.
"""
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures")
MPROF = None
PYTHON = None           # None: the default (python3 from PATH)
MP_MPROF = "/usr/bin/python3-mprof"


def no_core():
    """No core file from the fixture that aborts."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class Dat(object):
    def __init__(self, path):
        self.funcs, self.gcs, self.exit, self.lines = [], [], None, []
        with open(path) as f:
            for line in f:
                self.lines.append(line)
                w = line.split()
                if w[0] == "FUNC":
                    self.funcs.append({
                        "name": w[1], "mem0": float(w[2]), "t0": float(w[3]),
                        "mem1": float(w[4]), "t1": float(w[5]), "level": int(w[6]),
                        "pid": int(w[7]) if len(w) > 7 else None})
                elif w[0] == "GC":
                    self.gcs.append({
                        "gen": int(w[1]), "mem0": float(w[2]), "t0": float(w[3]),
                        "mem1": float(w[4]), "t1": float(w[5]), "collected": int(w[6]),
                        "uncollectable": int(w[7]), "candidates": int(w[8]),
                        "pid": int(w[9])})
                elif w[0] == "EXIT":
                    self.exit = int(w[1])

    def names_levels(self, pid=None):
        return [(f["name"], f["level"]) for f in self.funcs if f["pid"] == pid]


class Run(object):
    def __init__(self, args, options=(), env=None, on_ready=None, mprof=None):
        self.dir = tempfile.mkdtemp(prefix="mprof-py-")
        self.dat = os.path.join(self.dir, "out.dat")
        cmd = [mprof or MPROF, "run", "-o", self.dat] + list(options)
        if PYTHON and args[0].endswith(".py") and mprof is None:
            cmd += ["--python", PYTHON]
        cmd += list(args)
        e = dict(os.environ)
        e.pop("PYTHONPATH", None)
        e.pop("MPROF_TRACE_FD", None)
        e.update(env or {})
        p = subprocess.Popen(cmd, cwd=FIX, env=e, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, preexec_fn=no_core)
        if on_ready:
            line = p.stdout.readline()
            assert line.startswith(b"ready"), line
            on_ready(int(line.split()[1]))
        out, err = p.communicate(timeout=60)
        self.rc, self.out, self.err = p.returncode, out.decode(), err.decode()
        self.data = Dat(self.dat) if os.path.exists(self.dat) else None

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class EndToEnd(unittest.TestCase):
    def run_ok(self, args, options=("-q",), **kw):
        r = Run(args, options, **kw)
        self.addCleanup(r.close)
        self.assertEqual(r.rc, 0, r.err)
        self.assertIsNotNone(r.data, r.err)
        return r

    def test_nested_functions_and_block(self):
        r = self.run_ok(["nested.py"])
        self.assertEqual(r.out, "14 outer __main__ None\n")
        self.assertEqual(r.data.names_levels(), [
            ("__main__.leaf", 3), ("__main__.leaf", 4), (".load", 3), ("__main__.middle", 2),
            ("__main__.run", 1), ("__main__.leaf", 2), ("__main__.leaf", 3), (".load", 2),
            ("__main__.middle", 1), ("__main__.outer", 0)])
        for f in r.data.funcs:
            self.assertLessEqual(f["t0"], f["t1"])
            self.assertGreater(f["mem0"], 1.0)     # MiB of a running python, not bytes
            self.assertLess(f["mem0"], 1024.0)
        # Lines come as brackets end, before the program's end is recorded.
        self.assertEqual(r.data.exit, 0)
        order = [l.split()[0] for l in r.data.lines]
        self.assertLess(max(i for i, w in enumerate(order) if w == "FUNC"), order.index("EXIT"))

    def test_generator(self):
        r = self.run_ok(["generator.py"])
        got = r.data.names_levels()
        self.assertEqual(got[:6], [("__main__.helper", 2)] * 3 + [
            ("__main__.consumer_side", 1), ("__main__.numbers", 1), ("__main__.drive", 0)])
        self.assertEqual(got[-2:], [("__main__.numbers", 1), ("__main__.early_stop", 0)])

    def test_exception_inside_decorated_function(self):
        r = Run(["exceptions.py"], ["-q"])
        self.addCleanup(r.close)
        self.assertEqual(r.rc, 1)
        self.assertTrue(r.err.endswith("ValueError: deep\n"), r.err)
        self.assertEqual(r.data.names_levels(), [
            ("__main__.bad", 3), ("__main__.bad", 2), ("__main__.bad", 1),
            ("__main__.good", 1), ("__main__.top", 0), ("__main__.good", 0),
            ("__main__.bad", 0)])
        self.assertEqual(r.data.exit, 1)

    def test_killed_script_keeps_finished_brackets(self):
        r = Run(["killed.py"], ["-q"], on_ready=lambda pid: os.kill(pid, signal.SIGKILL))
        self.addCleanup(r.close)
        self.assertEqual(r.rc, 128 + signal.SIGKILL)
        self.assertEqual(r.data.names_levels(), [("__main__.finished", 0)])
        self.assertEqual(r.data.exit, 128 + signal.SIGKILL)

    def test_gc_disabled_keeps_brackets(self):
        r = self.run_ok(["gc_disabled.py"])
        self.assertEqual(r.data.names_levels(), [("__main__.work", 0)] * 3)
        self.assertEqual(r.data.gcs, [])

    def test_forced_collections_each_once(self):
        r = self.run_ok(["gc_forced.py"])
        found = [int(x) for x in r.out.split()]
        g = r.data.gcs
        self.assertEqual([c["gen"] for c in g], [0, 1, 2])
        self.assertEqual([c["collected"] + c["uncollectable"] for c in g], found)
        self.assertGreaterEqual(g[2]["collected"], 40)
        pid = int([l for l in r.data.lines if l.startswith("META")][0].split("pid=")[1].split()[0])
        for c in g:
            self.assertEqual(c["pid"], pid)
            self.assertLessEqual(c["t0"], c["t1"])
            self.assertLess(c["t1"] - c["t0"], 5.0)
            self.assertGreater(c["mem0"], 1.0)
            self.assertEqual((c["uncollectable"], c["candidates"]), (0, -1))

    def test_multiprocessing_child_with_M(self):
        r = self.run_ok(["children.py"], options=("-q", "-M", "-T", "0.01"))
        parent, child, forked, spawned, sub = [int(w) for w in r.out.split()[1::2]]
        self.assertEqual(r.data.names_levels(), [("__main__.task", 0)])
        self.assertEqual(r.data.names_levels(child), [("__main__.task", 0)])
        self.assertEqual(r.data.names_levels(forked), [("__main__.task", 0)])
        self.assertEqual(r.data.names_levels(spawned), [("__mp_main__.task", 0)])
        self.assertEqual(r.data.names_levels(sub), [("__main__.task", 0)])
        chld = {int(l.split()[1]) for l in r.data.lines if l.startswith("CHLD ")}
        self.assertTrue(chld, "no CHLD lines with -M")
        big = [f for f in r.data.funcs if f["pid"] == child][0]
        self.assertGreaterEqual(big["mem1"], big["mem0"])

    def test_module_with_explicit_interpreter(self):
        py = PYTHON or "python3"
        r = self.run_ok(["-m", "pkg", "x"], options=("-q", "--python", py))
        self.assertEqual(r.out, "pkg argv ['x'] 42\n")
        self.assertEqual(r.data.names_levels(), [("pkg.work.compute", 0)])

    def test_interpreter_under_another_name(self):
        # --python with any interpreter: here a copy of python's binary called "interp"
        real = subprocess.run([PYTHON or "python3", "-c", "import sys; print(sys.executable)"],
                              stdout=subprocess.PIPE).stdout.decode().strip()
        real = os.path.realpath(real)
        if not real or open(real, "rb").read(4) != b"\x7fELF":
            self.skipTest("no python binary to copy")
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        interp = os.path.join(d, "interp")
        os.symlink(real, interp)
        r = self.run_ok([interp, "nested.py"], options=("-q", "--python"))
        self.assertEqual(len(r.data.funcs), 10)

    def test_bad_scripts_behave_as_under_plain_python(self):
        py = PYTHON or "python3"
        e = dict(os.environ)
        e.pop("PYTHONPATH", None)
        for args in (["no_such_script.py"], ["syntax_error.py"], ["exits.py", "exit", "3"],
                     ["exits.py", "raise"], ["exits.py", "_exit", "4"], ["exits.py", "abort"]):
            p = subprocess.run([py] + args, cwd=FIX, env=dict(e, PYTHONPATH=os.path.join(
                os.path.dirname(os.path.dirname(os.path.dirname(HERE))), "python")),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=no_core)
            r = Run(args, ["-q"])
            self.addCleanup(r.close)
            status = p.returncode if p.returncode >= 0 else 128 - p.returncode
            self.assertEqual((r.rc, r.out, r.err),
                             (status, p.stdout.decode(), p.stderr.decode()), args)
            if args[0] == "exits.py":
                self.assertEqual(r.data.names_levels(), [("__main__.step", 0)], args)
                self.assertEqual(r.data.exit, status)

    def test_accelerator_used_when_built(self):
        # mprof runs its own copy of mprof_trace (build/share/gclab/python) and, beside it, the
        # C accelerator when the build made one (GCLAB_PY_ACCEL) for this interpreter's ABI;
        # MPROF_TRACE_PURE=1 keeps it out. A missing build or staging step fails here.
        built = os.environ.get("GCLAB_PY_ACCEL")
        expect = False
        if built and os.environ.get("MPROF_TRACE_PURE") != "1":
            self.assertTrue(os.path.isfile(built), built)
            code = ("import importlib.machinery as m, sys\n"
                    "print(any(sys.argv[1].endswith(s) for s in m.EXTENSION_SUFFIXES))")
            out = subprocess.run([PYTHON or "python3", "-c", code, built],
                                 stdout=subprocess.PIPE).stdout
            expect = out.strip() == b"True"
        r = self.run_ok(["-c", "import mprof_trace\n@profile\ndef f(): pass\nf()\n"
                               "print(mprof_trace._accelerated(), mprof_trace._accel and "
                               "mprof_trace._accel.__file__)"],
                        ["-q", "--python", PYTHON or "python3"])
        got, where = r.out.split()
        self.assertEqual(got, str(expect), r.out)
        if expect:
            self.assertEqual(os.path.realpath(where), os.path.realpath(built))
        self.assertEqual(r.data.names_levels(), [("__main__.f", 0)])

    def test_installed_mprof_uses_its_own_bootstrap(self):
        # An installed (or relocated) mprof finds <its dir>/../share/gclab/python first.
        root = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, root)
        src = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(HERE))), "python")
        share = os.path.join(root, "share", "gclab", "python")
        os.makedirs(os.path.join(share, "site"))
        os.makedirs(os.path.join(root, "bin"))
        for f in ("mprof_launch.py", "mprof_trace.py", os.path.join("site", "sitecustomize.py")):
            shutil.copy(os.path.join(src, f), os.path.join(share, f))
        binary = os.path.join(root, "bin", "mprof")
        shutil.copy(MPROF, binary)
        r = Run(["-c", "import mprof_trace\n@profile\ndef f(): pass\nf()\n"
                       "print(mprof_trace.__file__)"],
                ["-q", "--python", PYTHON or "python3"], mprof=binary)
        self.addCleanup(r.close)
        self.assertEqual(r.rc, 0, r.err)
        self.assertEqual(os.path.realpath(r.out.strip()),
                         os.path.realpath(os.path.join(share, "mprof_trace.py")))
        self.assertEqual(r.data.names_levels(), [("__main__.f", 0)])

    def test_no_python_says_how_to_install_it(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        dat = os.path.join(d, "x.dat")
        p = subprocess.run([MPROF, "run", "-o", dat, "nested.py"], cwd=FIX,
                           env=dict(os.environ, PATH=d), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        self.assertEqual(p.returncode, 127)
        self.assertIn(b"apt-get install python3", p.stderr)
        self.assertFalse(os.path.exists(dat))


class Interop(unittest.TestCase):
    """Against memory_profiler's own mprof, on the same scripts."""

    def setUp(self):
        if not os.access(MP_MPROF, os.X_OK):
            self.skipTest("%s is not installed (Debian: apt-get install "
                          "python3-memory-profiler)" % MP_MPROF)

    def test_same_func_names_and_levels_as_memory_profiler(self):
        theirs = Run(["nested.py"], mprof=MP_MPROF)
        ours = Run(["nested.py"], ["-q"])
        self.addCleanup(theirs.close)
        self.addCleanup(ours.close)
        self.assertEqual(theirs.rc, 0, theirs.err)
        self.assertEqual(ours.rc, 0, ours.err)
        self.assertEqual(len(theirs.data.funcs), 10)
        # memory_profiler writes its lines grouped by function at the end; we write them as
        # brackets end: the same brackets, in another order.
        self.assertEqual(sorted(ours.data.names_levels()), sorted(theirs.data.names_levels()))

    def test_gc_disable_loses_memory_profilers_brackets_not_ours(self):
        theirs = Run(["gc_disabled.py"], mprof=MP_MPROF)
        ours = Run(["gc_disabled.py"], ["-q"])
        self.addCleanup(theirs.close)
        self.addCleanup(ours.close)
        self.assertEqual(ours.data.names_levels(), [("__main__.work", 0)] * 3)
        sys.stderr.write("memory_profiler kept %d of 3 brackets ... " % len(theirs.data.funcs))
        self.assertLess(len(theirs.data.funcs), 3)


def main():
    global MPROF, PYTHON
    argv = sys.argv[:1]
    args = iter(sys.argv[1:])
    for a in args:
        if a == "--mprof":
            MPROF = os.path.abspath(next(args))
        elif a == "--python":
            PYTHON = next(args)
        else:
            argv.append(a)
    if PYTHON and not shutil.which(PYTHON):
        print("SKIP: %s is not installed" % PYTHON)
        sys.exit(77)
    prog = unittest.main(argv=argv, verbosity=2, exit=False)
    res = prog.result
    if not res.wasSuccessful():
        sys.exit(1)
    if res.testsRun and len(res.skipped) == res.testsRun:
        sys.exit(77)
    sys.exit(0)


if __name__ == "__main__":
    main()
