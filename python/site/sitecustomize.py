# mprof's start-up hook. `mprof run` puts this directory first on PYTHONPATH, so every Python
# process of the profiled tree (the program, its multiprocessing and subprocess children) runs
# this at start-up, before the program's first line. It loads mprof_trace (which installs the
# builtin `profile` and the gc hook when MPROF_TRACE_FD is set), takes this directory back out
# of sys.path, and then imports the next sitecustomize on the path, the user's or the system's,
# exactly as Python would have without us. It leaves no name behind but `profile`.
def _mprof_bootstrap():
    import os
    import sys

    here = os.path.dirname(os.path.abspath(__file__))
    parent = os.path.dirname(here)

    def ours(p):
        try:
            return os.path.abspath(p or os.curdir) == here
        except Exception:
            return False

    sys.path[:] = [p for p in sys.path if not ours(p)]
    if sys.version_info < (3, 7):
        # mprof_trace needs 3.7 (the launcher has said so): a `profile` that does nothing,
        # so that a decorated script still runs and its memory is sampled.
        if "MPROF_TRACE_FD" in os.environ:
            try:
                import builtins
            except ImportError:
                import __builtin__ as builtins

            class _Null(object):
                def __call__(self, func=None, *args, **kwargs):
                    return func if func is not None else (lambda f: f)

                def __enter__(self):
                    return None

                def __exit__(self, *exc_info):
                    return False

                def timestamp(self, name=None):
                    return self

                def mark(self, name):
                    pass
            builtins.profile = _Null()
        del sys.modules["sitecustomize"]
        return
    try:
        if "mprof_trace" not in sys.modules:
            sys.path.insert(0, parent)
            try:
                import mprof_trace
            finally:
                try:
                    sys.path.remove(parent)
                except ValueError:
                    pass
        sys.modules["mprof_trace"]._start()
    except Exception as e:  # never stop the program for our sake
        sys.stderr.write("mprof: the Python bootstrap failed: %r\n" % (e,))
    del sys.modules["sitecustomize"]


_mprof_bootstrap()
del _mprof_bootstrap
# The next sitecustomize on the path, now that ours is out of it. Imported here, it becomes
# sys.modules["sitecustomize"] (the import of this module returns whatever is there then). When
# there is none, its ImportError (name "sitecustomize") leaves through us and site.py ignores it
# as it would have; any other error is reported by site.py as it would have been.
import sitecustomize  # noqa: E402,F401
