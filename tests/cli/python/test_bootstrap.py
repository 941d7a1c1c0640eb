"""The Python bootstrap, driven directly: python/mprof_launch.py runs each fixture with a
socketpair named by MPROF_TRACE_FD, as `mprof run` does, and the events it sends are checked.

Usage: test_bootstrap.py [--python INTERPRETER] [--pydir DIR] [unittest options]
The test driver runs under any python3; INTERPRETER (default: python3 from PATH) runs the
fixtures; DIR (default: the source tree's python/) holds the launcher and mprof_trace, as
mprof's copy in the build tree does (with the C accelerator beside it when it was built).
GCLAB_PY_ACCEL in the environment names the accelerator the build made (empty: none), and
MPROF_TRACE_PURE=1 keeps it out (docs/python.md). Exit status 77 when INTERPRETER is not installed (ctest SKIP_RETURN_CODE).
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
PYDIR = os.path.join(SOURCE, "python")
LAUNCHER = os.path.join(PYDIR, "mprof_launch.py")
FIX = os.path.join(HERE, "fixtures")
PYTHON = "python3"


class Event(object):
    def __init__(self, line):
        self.line = line
        f = line.split(" ")
        self.type = f[0]
        self.pid = int(f[1])
        if self.type == "F":
            self.level = int(f[2])
            self.t0, self.rss0, self.t1, self.rss1 = float(f[3]), int(f[4]), float(f[5]), int(f[6])
            self.name = " ".join(f[7:])
        elif self.type == "G":
            self.gen = int(f[2])
            self.t0, self.rss0, self.t1, self.rss1 = float(f[3]), int(f[4]), float(f[5]), int(f[6])
            self.collected, self.uncollectable, self.candidates = int(f[7]), int(f[8]), int(f[9])
        elif self.type == "M":
            self.t, self.rss = float(f[2]), int(f[3])
            self.name = " ".join(f[4:])

    def __repr__(self):
        return repr(self.line)


class Result(object):
    def __init__(self, rc, out, err, data, pid):
        self.rc, self.out, self.err, self.pid = rc, out, err, pid
        self.raw = data
        text = data.decode()
        assert text == "" or text.endswith("\n"), text
        self.events = [Event(l) for l in text.splitlines()]

    def funcs(self, pid=None):
        return [(e.name, e.level) for e in self.events
                if e.type == "F" and (pid is None or e.pid == pid)]

    def gcs(self):
        return [e for e in self.events if e.type == "G"]


def run(args, launcher=True, env=None, cwd=FIX, interp=None, until_ready=None):
    """Runs [interp] + args (through the launcher unless launcher=False) with a trace
    channel; returns a Result with every event received."""
    interp = interp or PYTHON
    ours, theirs = socket.socketpair()
    e = dict(os.environ)
    e.pop("PYTHONPATH", None)
    e["MPROF_TRACE_FD"] = str(theirs.fileno())
    e.update(env or {})
    cmd = [interp] + (["-S", LAUNCHER] if launcher else []) + list(args)
    p = subprocess.Popen(cmd, cwd=cwd, env=e, pass_fds=[theirs.fileno()],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    theirs.close()
    chunks = []

    def reader():
        while True:
            b = ours.recv(65536)
            if not b:
                return
            chunks.append(b)

    t = threading.Thread(target=reader)
    t.start()
    if until_ready:
        line = p.stdout.readline()
        assert line.startswith(b"ready"), line
        until_ready(p)
    out, err = p.communicate(timeout=60)
    t.join(60)
    ours.close()
    return Result(p.returncode, out.decode(), err.decode(), b"".join(chunks), p.pid)


def plain(args, env=None, cwd=FIX, interp=None):
    """The same command under plain python, without mprof."""
    e = dict(os.environ)
    e.pop("PYTHONPATH", None)
    e.pop("MPROF_TRACE_FD", None)
    e.update(env or {})
    p = subprocess.run([interp or PYTHON] + list(args), cwd=cwd, env=e,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def expect_accelerated():
    """Whether decorated calls must go through the C accelerator here: the build made it, it
    is beside this run's mprof_trace.py, it loads in PYTHON (same ABI), and MPROF_TRACE_PURE
    does not keep it out."""
    built = os.environ.get("GCLAB_PY_ACCEL")
    if not built or os.environ.get("MPROF_TRACE_PURE") == "1":
        return False
    if os.path.dirname(os.path.realpath(built)) != os.path.realpath(PYDIR):
        return False
    code = ("import importlib.machinery as m, sys\n"
            "print(any(sys.argv[1].endswith(s) for s in m.EXTENSION_SUFFIXES))")
    out = subprocess.run([PYTHON, "-c", code, built], stdout=subprocess.PIPE).stdout
    return out.strip() == b"True"


class Brackets(unittest.TestCase):
    def test_accelerator_used_when_built(self):
        code = ("import mprof_trace\n"
                "print(mprof_trace._accelerated())\n"
                "@profile\n"
                "def f(): return 7\n"
                "print(f())\n")
        r = run(["-c", code])
        self.assertEqual(r.rc, 0, r.err)
        self.assertEqual(r.out, "%s\n7\n" % expect_accelerated())
        self.assertEqual(r.funcs(), [("__main__.f", 0)])


    def check_sane(self, r):
        for e in r.events:
            if e.type in "FG":
                self.assertLessEqual(e.t0, e.t1, e)
                self.assertGreater(e.rss0, 0, e)
                self.assertGreater(e.rss1, 0, e)
            self.assertLessEqual(len(e.line) + 1, 512)

    def test_nested_names_and_levels(self):
        r = run(["nested.py"])
        self.assertEqual(r.rc, 0, r.err)
        self.assertEqual(r.out, "14 outer __main__ None\n")
        once = [("__main__.leaf", 3), ("__main__.leaf", 4), (".load", 3),
                ("__main__.middle", 2), ("__main__.run", 1),
                ("__main__.leaf", 2), ("__main__.leaf", 3), (".load", 2),
                ("__main__.middle", 1), ("__main__.outer", 0)]
        self.assertEqual(r.funcs(), once)
        self.assertEqual({e.pid for e in r.events}, {r.pid})
        self.check_sane(r)
        f = [e for e in r.events if e.type == "F"]
        # Each bracket is sent when it ends, and lies inside the one that encloses it.
        self.assertEqual([e.t1 for e in f], sorted(e.t1 for e in f))
        outer = f[-1]
        for e in f[:-1]:
            self.assertGreaterEqual(e.t0, outer.t0)
            self.assertLessEqual(e.t1, outer.t1)

    def test_generator_bracketed_from_first_resumption_to_end(self):
        r = run(["generator.py"])
        self.assertEqual(r.rc, 0, r.err)
        self.assertEqual(r.out, "[0, 2, 5, 30]\n[0, 2]\n4\n")
        self.assertEqual(r.funcs(), [
            # drive(): three resumptions of numbers(3), then its end
            ("__main__.helper", 2), ("__main__.helper", 2), ("__main__.helper", 2),
            ("__main__.consumer_side", 1), ("__main__.numbers", 1), ("__main__.drive", 0),
            # yield from numbers(2), undecorated delegate
            ("__main__.helper", 1), ("__main__.helper", 1), ("__main__.numbers", 0),
            # early_stop(): the loop breaks, the generator is closed
            ("__main__.helper", 2), ("__main__.helper", 2), ("__main__.helper", 2),
            ("__main__.numbers", 1), ("__main__.early_stop", 0)])
        self.check_sane(r)

    def test_coroutines_span_their_awaits(self):
        r = run(["coroutine.py"])
        self.assertEqual(r.rc, 0, r.err)
        self.assertEqual(r.out, "True 30\n[0, 1, 2, 0]\n")
        self.assertEqual(r.funcs(), [("__main__.fetch", 1), ("__main__.fetch", 1),
                                     ("__main__.failing", 1), ("__main__.main", 0),
                                     # async generator: its steps nest, closing ends it
                                     ("__main__.fetch_sync", 1), ("__main__.fetch_sync", 1),
                                     ("__main__.fetch_sync", 1), ("__main__.ticks", 0),
                                     ("__main__.fetch_sync", 1), ("__main__.ticks", 0)])
        f = {e.name + str(i): e for i, e in enumerate(e for e in r.events if e.type == "F")}
        self.assertGreaterEqual(f["__main__.fetch1"].t1 - f["__main__.fetch1"].t0, 0.015)

    def test_exception_closes_bracket_and_keeps_levels(self):
        r = run(["exceptions.py"])
        self.assertEqual(r.rc, 1)
        self.assertEqual(r.funcs(), [
            ("__main__.bad", 3), ("__main__.bad", 2), ("__main__.bad", 1),
            ("__main__.good", 1), ("__main__.top", 0), ("__main__.good", 0),
            ("__main__.bad", 0)])
        self.assertTrue(r.err.endswith("ValueError: deep\n"), r.err)

    def test_block_names(self):
        r = run(["-c", "with profile.timestamp('a b\\nc'):\n with profile.timestamp():\n  pass\n"
                 "with profile.timestamp('x' * 1000):\n pass\n"])
        self.assertEqual(r.rc, 0, r.err)
        self.assertEqual(r.funcs()[:2], [(".<block>", 1), (".a b?c", 0)])
        long = r.events[2]
        self.assertTrue(long.name.startswith(".xxxx"))
        self.assertLessEqual(len(long.line) + 1, 512)

    def test_generator_raising_closes_its_bracket(self):
        code = ("@profile\ndef g():\n yield 1\n raise KeyError('k')\n"
                "@profile\ndef after(): pass\n"
                "@profile\ndef top():\n try:\n  list(g())\n except KeyError:\n  pass\n"
                "top(); after(); list(g())\n")
        r = run(["-c", code])
        self.assertEqual(r.rc, 1)
        self.assertEqual(r.funcs(), [("__main__.g", 1), ("__main__.top", 0),
                                     ("__main__.after", 0), ("__main__.g", 0)])
        frames = [l for l in r.err.splitlines() if l.startswith("  File ")]
        self.assertEqual(len(frames), 3, r.err)     # <string>, our driver, g
        self.assertTrue(r.err.endswith("KeyError: 'k'\n"), r.err)

    def test_methods_static_and_class_methods(self):
        code = ("class C:\n"
                " @profile\n @staticmethod\n def s(x): return x\n"
                " @profile\n @classmethod\n def c(cls): return cls.__name__\n"
                " @profile\n def m(self): return self.s(1)\n"
                "@profile(precision=2)\ndef p(): return 2\n"
                "print(C.s(0), C().c(), C().m(), p(), C.m.__qualname__)\n")
        r = run(["-c", code])
        self.assertEqual((r.rc, r.out), (0, "0 C 1 2 C.m\n"), r.err)
        self.assertEqual(r.funcs(), [("__main__.s", 0), ("__main__.c", 0), ("__main__.s", 1),
                                     ("__main__.m", 0), ("__main__.p", 0)])

    def test_recursion_error_leaves_channel_and_levels(self):
        code = ("import sys\nsys.setrecursionlimit(200)\n"
                "@profile\ndef deep(n): return deep(n + 1)\n"
                "@profile\ndef after(): pass\n"
                "try:\n deep(0)\nexcept RecursionError:\n pass\nafter()\n")
        r = run(["-c", code])
        self.assertEqual(r.rc, 0, r.err)
        f = r.funcs()
        self.assertEqual(f[-1], ("__main__.after", 0))
        deep = [lvl for name, lvl in f if name == "__main__.deep"]
        self.assertGreater(len(deep), 10)
        self.assertEqual(deep[-1], 0)
        self.assertEqual(deep, sorted(deep, reverse=True))

    def test_threads_have_their_own_levels(self):
        code = ("import threading\n"
                "@profile\ndef inner(): pass\n"
                "@profile\ndef outer(b):\n b.wait(); inner(); b.wait()\n"
                "b = threading.Barrier(2)\n"
                "t = threading.Thread(target=outer, args=(b,)); t.start(); outer(b); t.join()\n")
        r = run(["-c", code])
        self.assertEqual(r.rc, 0, r.err)
        self.assertEqual(sorted(r.funcs()), [("__main__.inner", 1)] * 2 +
                         [("__main__.outer", 0)] * 2)


class Collections(unittest.TestCase):
    def test_each_forced_collection_once_with_its_counts(self):
        r = run(["gc_forced.py"])
        self.assertEqual(r.rc, 0, r.err)
        found = [int(x) for x in r.out.split()]
        g = r.gcs()
        self.assertEqual([e.gen for e in g], [0, 1, 2])
        self.assertEqual([e.collected + e.uncollectable for e in g], found)
        self.assertGreaterEqual(g[0].collected, 5)
        self.assertGreaterEqual(g[2].collected, 40)
        for e in g:
            self.assertEqual(e.uncollectable, 0)
            self.assertEqual(e.candidates, -1)
            self.assertLessEqual(e.t0, e.t1)
            self.assertLess(e.t1 - e.t0, 5.0)
            self.assertGreater(e.rss0, 0)
        self.assertLessEqual(g[0].t1, g[1].t0)

    def test_automatic_collections_reported(self):
        # The program counts the collections that start while it loops, with its own
        # gc callback; we must have reported exactly those, each once.
        r = run(["-c", "import gc, time\nn = [0, 0, 0]\n"
                       "gc.callbacks.append(lambda p, i: p == 'start' and "
                       "n.__setitem__(i['generation'], n[i['generation']] + 1))\n"
                       "t0 = time.time()\nfor i in range(30000):\n a = []; a.append(a)\n"
                       "gc.disable()\nt1 = time.time()\nprint(t0, t1, *n)"])
        self.assertEqual(r.rc, 0, r.err)
        f = r.out.split()
        t0, t1, counts = float(f[0]), float(f[1]), [int(x) for x in f[2:]]
        self.assertGreater(counts[0], 10)
        during = [e.gen for e in r.gcs() if t0 <= e.t0 and e.t1 <= t1]
        self.assertEqual([during.count(g) for g in range(3)], counts)

    def test_gc_disabled_keeps_brackets(self):
        r = run(["gc_disabled.py"])
        self.assertEqual(r.rc, 0, r.err)
        self.assertEqual(r.funcs(), [("__main__.work", 0)] * 3)
        self.assertEqual(r.gcs(), [])


class Fidelity(unittest.TestCase):
    def same_as_plain(self, args, cwd=FIX, env=None):
        rc0, out0, err0 = plain(args, cwd=cwd, env=env)
        r = run(args, cwd=cwd, env=env)
        self.assertEqual((r.rc, r.out, r.err), (rc0, out0, err0))
        return r

    def test_script_sees_what_plain_python_shows(self):
        rc0, out0, err0 = plain(["fidelity.py", "a b", "-c", "x"])
        r = run(["fidelity.py", "a b", "-c", "x"])
        self.assertEqual(rc0, 0, err0)
        self.assertEqual((r.rc, r.err), (0, ""))
        self.assertEqual(r.out, out0)

    def test_relative_path_and_interpreter_options(self):
        self.same_as_plain(["-u", "-X", "utf8", "-W", "ignore", "./fidelity.py"])
        self.same_as_plain(["-B", "fixtures/fidelity.py", "--", "z"], cwd=HERE)

    def test_users_sitecustomize_runs_once_and_stays_sitecustomize(self):
        d = tempfile.mkdtemp()
        try:
            with open(os.path.join(d, "sitecustomize.py"), "w") as f:
                f.write("import sys\nsys.stderr.write('user sitecustomize\\n')\nMARK = 1\n")
            env = {"PYTHONPATH": d}
            r = self.same_as_plain(["fidelity.py"], env=env)
            self.assertEqual(r.err, "user sitecustomize\n")
            self.assertIn("sitecustomize %s" % os.path.join(d, "sitecustomize.py"), r.out)
            # The program's PYTHONPATH entries are all still there, ours are not.
            self.assertIn(repr(d), r.out)
            self.assertNotIn(PYDIR, r.out)
        finally:
            shutil.rmtree(d)

    def test_users_failing_sitecustomize_reported_as_by_plain_python(self):
        d = tempfile.mkdtemp()
        try:
            with open(os.path.join(d, "sitecustomize.py"), "w") as f:
                f.write("import no_such_module_for_mprof_test\n")
            env = {"PYTHONPATH": d}
            rc0, out0, err0 = plain(["-c", "print('ran')"], env=env)
            r = run(["-c", "print('ran'); print(profile)"], env=env)
            self.assertIn("Error in sitecustomize", err0)
            self.assertEqual((r.rc, r.err), (rc0, err0))
            self.assertEqual(r.out, "ran\n<mprof_trace.profile recording>\n")
        finally:
            shutil.rmtree(d)

    def test_uncaught_exception_same_message_one_frame_more_at_most(self):
        rc0, _, err0 = plain(["exits.py", "raise_in"], env={"PYTHONPATH": PYDIR})
        r = run(["exits.py", "raise_in"])
        self.assertEqual((r.rc, rc0), (1, 1))
        ours, theirs = r.err.splitlines(), err0.splitlines()
        self.assertEqual(ours[-1], "ZeroDivisionError: division by zero")
        self.assertEqual(ours[-1], theirs[-1])
        frames = [l for l in ours if l.startswith("  File ")]
        frames0 = [l for l in theirs if l.startswith("  File ")]
        self.assertLessEqual(len(frames), len(frames0) + 1, r.err)
        self.assertEqual([l for l in frames if "mprof_trace" not in l], frames0)

    def test_exit_statuses_and_errors_as_plain_python(self):
        for args in (["exits.py", "exit", "3"], ["exits.py", "_exit", "5"],
                     ["exits.py", "raise"], ["no_such_script.py"], ["syntax_error.py"],
                     ["exits.py", "exit", "0"]):
            rc0, out0, err0 = plain(args, env={"PYTHONPATH": PYDIR})
            r = run(args)
            self.assertEqual((r.rc, r.out, r.err), (rc0, out0, err0), args)
            if args[0] == "exits.py":
                self.assertEqual(r.funcs(), [("__main__.step", 0)], args)

    def test_module_and_code(self):
        r = run(["-m", "pkg", "arg1", "--flag"])
        self.assertEqual(r.rc, 0, r.err)
        self.assertEqual(r.out, "pkg argv ['arg1', '--flag'] 42\n")
        self.assertEqual(r.funcs(), [("pkg.work.compute", 0)])
        r = run(["-c", "import sys\n@profile\ndef f(): return sys.argv\nprint(f())", "a"])
        self.assertEqual(r.out, "['-c', 'a']\n")
        self.assertEqual(r.funcs(), [("__main__.f", 0)])

    def test_no_names_added_but_profile(self):
        r = run(["-c", "print(sorted(globals()))\n"
                       "import builtins, sys\n"
                       "print(builtins.profile.__class__.__module__)\n"
                       "print([m for m in sys.modules if 'mprof' in m])"])
        rc0, out0, _ = plain(["-c", "print(sorted(globals()))"])
        self.assertEqual(r.out.splitlines()[0], out0.strip())
        self.assertEqual(r.out.splitlines()[1:], ["mprof_trace", "['mprof_trace']"])


class Robustness(unittest.TestCase):
    def test_killed_program_keeps_finished_brackets(self):
        r = run(["killed.py"], until_ready=lambda p: p.send_signal(signal.SIGKILL))
        self.assertEqual(r.rc, -signal.SIGKILL)
        self.assertEqual(r.funcs(), [("__main__.finished", 0)])
        self.assertGreaterEqual(r.events[0].rss1 - r.events[0].rss0, 0)

    def test_children_report_with_their_own_pid(self):
        r = run(["children.py"])
        self.assertEqual(r.rc, 0, r.err)
        words = r.out.split()
        parent, child, forked, spawned, sub = [int(w) for w in words[1::2]]
        self.assertEqual(parent, r.pid)
        self.assertEqual(r.funcs(parent), [("__main__.task", 0)])
        self.assertEqual(r.funcs(child), [("__main__.task", 0)])
        self.assertEqual(r.funcs(forked), [("__main__.task", 0)])
        # spawn runs the main module again as __mp_main__
        self.assertEqual(r.funcs(spawned), [("__mp_main__.task", 0)])
        self.assertEqual(r.funcs(sub), [("__main__.task", 0)])
        big = [e for e in r.events if e.type == "F" and e.pid == child][0]
        self.assertGreaterEqual(big.rss1, big.rss0)

    def test_reader_gone_program_runs_on(self):
        # mprof died: sends fail with EPIPE, the program is not killed even with SIGPIPE
        # at its default action, and finishes normally.
        ours, theirs = socket.socketpair()
        ours.close()
        e = dict(os.environ, MPROF_TRACE_FD=str(theirs.fileno()))
        e.pop("PYTHONPATH", None)
        code = ("import signal\nsignal.signal(signal.SIGPIPE, signal.SIG_DFL)\n"
                "@profile\ndef f(): return 1\nprint(sum(f() for i in range(1000)))")
        p = subprocess.run([PYTHON, "-S", LAUNCHER, "-c", code], env=e, pass_fds=[theirs.fileno()],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        theirs.close()
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, b"1000\n", b""))

    def test_pipe_channel_is_not_the_channel(self):
        # mprof gives a socket; a pipe (or a file) on that number is something else, and the
        # emitter never writes to it: the program runs untouched, with @profile a no-op.
        r, w = os.pipe()
        e = dict(os.environ, MPROF_TRACE_FD=str(w))
        e.pop("PYTHONPATH", None)
        code = ("import os\n@profile\ndef f(): pass\nf()\nprint('ran')")
        p = subprocess.Popen([PYTHON, "-S", LAUNCHER, "-c", code], env=e, pass_fds=[w],
                             stdout=subprocess.PIPE)
        os.close(w)
        out, _ = p.communicate(timeout=60)
        with os.fdopen(r, "rb") as f:
            written = f.read()
        self.assertEqual((p.returncode, out), (0, b"ran\n"))
        self.assertEqual(written, b"")

    def test_file_on_the_channel_number_gets_nothing(self):
        # `sh -c 'exec 5>log.txt; prog'`: the number names a file now; not one byte lands there.
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "log.txt")
            fd = os.open(log, os.O_WRONLY | os.O_CREAT, 0o644)
            e = dict(os.environ, MPROF_TRACE_FD=str(fd))
            e.pop("PYTHONPATH", None)
            code = "import gc\n@profile\ndef f(): gc.collect()\nf()\n"
            p = subprocess.run([PYTHON, "-S", LAUNCHER, "-c", code], env=e, pass_fds=[fd],
                               timeout=60)
            os.close(fd)
            self.assertEqual(p.returncode, 0)
            self.assertEqual(os.path.getsize(log), 0)

    def test_non_blocking_channel_loses_nothing(self):
        # The program makes the shared socket non-blocking and floods it; a slow reader
        # still gets every event.
        ours, theirs = socket.socketpair()
        theirs.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        e = dict(os.environ, MPROF_TRACE_FD=str(theirs.fileno()))
        e.pop("PYTHONPATH", None)
        code = ("import os\nos.set_blocking(%d, False)\n"
                "@profile\ndef f(): pass\nfor i in range(3000): f()\n" % theirs.fileno())
        p = subprocess.Popen([PYTHON, "-S", LAUNCHER, "-c", code], env=e,
                             pass_fds=[theirs.fileno()])
        theirs.close()
        data = b""
        import time as _t
        while True:
            _t.sleep(0.001)
            chunk = ours.recv(65536)
            if not chunk:
                break
            data += chunk
        p.wait(timeout=60)
        ours.close()
        self.assertEqual(p.returncode, 0)
        self.assertEqual(sum(1 for l in data.splitlines() if l.startswith(b"F ")), 3000)

    def test_importable_module_is_a_noop_under_plain_python(self):
        rc, out, err = plain(["imported.py"], env={"PYTHONPATH": PYDIR})
        self.assertEqual((rc, out, err), (0, "3 f\n", ""))
        rc, out, err = plain(["-c", "import mprof_trace\ndef f(): pass\n"
                                    "print(mprof_trace.profile(f) is f, mprof_trace.enabled())\n"
                                    "import builtins; print(hasattr(builtins, 'profile'))"],
                             env={"PYTHONPATH": PYDIR})
        self.assertEqual(out, "True False\nFalse\n", err)
        r = run(["imported.py"])
        self.assertEqual(r.out, "3 f\n")
        self.assertEqual(r.funcs(), [(".inside", 1), ("__main__.f", 0)])

    def test_python_child_given_the_channel_reports_with_its_pid(self):
        code = ("import os, subprocess, sys\n"
                "fd = int(os.environ['MPROF_TRACE_FD'])\n"
                "p = subprocess.run([sys.executable, '-c', '@profile\\ndef f(): pass\\n"
                "f()\\nimport os; print(os.getpid())'], pass_fds=[fd], stdout=subprocess.PIPE)\n"
                "print(p.stdout.decode().strip())")
        r = run(["-c", code])
        self.assertEqual(r.rc, 0, r.err)
        child = int(r.out)
        self.assertNotEqual(child, r.pid)
        self.assertEqual(r.funcs(child), [("__main__.f", 0)])

    def test_isolated_interpreter_warns_and_runs(self):
        for flag in ("-I", "-E", "-S"):
            r = run([flag, "-c", "print('ran')"])
            self.assertEqual((r.rc, r.out), (0, "ran\n"), flag)
            self.assertIn("mprof: python -E, -I and -S keep mprof's start-up hook out", r.err)

    def test_channel_not_inherited_gives_a_noop_profile(self):
        # A child that finds MPROF_TRACE_FD but not the fd (here one its environment names
        # wrongly): @profile must not fail with NameError, and nothing is sent.
        code = ("import os, subprocess, sys\n"
                "r = subprocess.run([sys.executable, '-c', '@profile\\ndef f(): return 5\\n"
                "print(f())'], stdout=subprocess.PIPE,\n"
                "                   env=dict(os.environ, MPROF_TRACE_FD='987'))\n"
                "print(r.returncode, r.stdout.decode().strip())")
        r = run(["-c", code])
        self.assertEqual((r.rc, r.out), (0, "0 5\n"), r.err)
        self.assertEqual(r.funcs(), [])


def main():
    global PYTHON, PYDIR, LAUNCHER
    argv = sys.argv[:1]
    args = iter(sys.argv[1:])
    for a in args:
        if a == "--python":
            PYTHON = next(args)
        elif a == "--pydir":
            PYDIR = os.path.abspath(next(args))
            LAUNCHER = os.path.join(PYDIR, "mprof_launch.py")
        else:
            argv.append(a)
    if not shutil.which(PYTHON):
        print("SKIP: %s is not installed" % PYTHON)
        sys.exit(77)
    unittest.main(argv=argv, verbosity=2)


if __name__ == "__main__":
    main()
