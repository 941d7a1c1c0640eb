# mprof_launch.py - how `mprof run` starts a Python program (docs/python.md).
#
# mprof runs   python -S mprof_launch.py [interpreter options] TARGET [args...]
# where TARGET is `script.py`, `-m module`, `-c code` or `-`, for the user's command
# `python [interpreter options] TARGET [args...]`. This puts mprof's start-up hook
# (python/site/sitecustomize.py) first on PYTHONPATH and replaces itself, by exec in the same
# process, with exactly the user's command. The program then starts as under plain python (its
# own __main__, argv, sys.path, tracebacks and exit status, nothing of ours on its stack), and
# every Python process it starts inherits the hook. This first start runs with -S and without
# the user's options, so that site hooks, -v or -X importtime act once, in the program.
import os
import sys


def _user_argv():
    """The user's command: the interpreter as mprof named it, then our arguments."""
    first = getattr(sys, "orig_argv", None)     # 3.10+: exactly what mprof ran
    return [first[0] if first else sys.executable] + sys.argv[1:]


def _user_flags(argv):
    """Single-letter interpreter options before the target (e.g. {'E', 'u'})."""
    letters = set()
    i = 1
    while i < len(argv):
        a = argv[i]
        if not a.startswith("-") or a == "-":
            break
        if a.startswith("--"):
            i += 2 if a == "--check-hash-based-pycs" else 1
            continue
        for j in range(1, len(a)):
            ch = a[j]
            if ch in "cm":
                return letters
            if ch in "WX":
                if j == len(a) - 1:
                    i += 1      # its argument is the next word
                break
            letters.add(ch)
        i += 1
    return letters


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    hook = os.path.join(here, "site")
    argv = _user_argv()
    if sys.version_info < (3, 7):
        sys.stderr.write("mprof: @profile brackets and gc events need Python 3.7 or newer; "
                         "@profile does nothing in this run\n")
    elif _user_flags(argv) & set("EIS"):
        sys.stderr.write("mprof: python -E, -I and -S keep mprof's start-up hook out: this run "
                         "records no @profile brackets and no collections\n")
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = hook + (os.pathsep + old if old else "")
    exe = sys.executable or argv[0]
    try:
        if os.sep in exe:
            os.execv(exe, argv)
        else:
            os.execvp(exe, argv)
    except OSError as e:
        sys.stderr.write("mprof: cannot run %s: %s\n" % (exe, e.strerror))
        os._exit(127)


main()
