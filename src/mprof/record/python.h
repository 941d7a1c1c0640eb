/* python.h - how `mprof run` starts a Python program under the project's bootstrap.
 *
 * The bootstrap (python/, docs/python.md) is the launcher python/mprof_launch.py, which puts
 * mprof's start-up hook (python/site/sitecustomize.py) on PYTHONPATH and execs the user's exact
 * command in the same process. Every Python process of the run then has the builtin `profile`
 * and reports its brackets and collections through MPROF_TRACE_FD.
 */
#ifndef MP_PYTHON_H
#define MP_PYTHON_H

#include <stddef.h>

/* 1 when `program` names a Python script (ends in ".py"). */
int mp_python_is_script(const char *program);

/* 1 when `program` is taken for a Python interpreter: not a .py script, and either its base
 * name starts with "python" or "pypy" ("python", "python3.11", "/usr/bin/python3", "pypy3"),
 * or it names an ELF executable (a path, or a name found on PATH): an interpreter under
 * another name. Anything else (a script without .py) is run by python. */
int mp_python_is_interpreter(const char *program);

/* Whether `mprof run` runs the command starting with `program` under the bootstrap: never
 * with --nopython (`never`), always with --python (`force`), else when `program` is a .py
 * script or an interpreter named python* or pypy* ("python3 x.py" too: memory_profiler would
 * run it bare and its @profile would raise NameError, the complaint its users file most). */
int mp_python_wanted(const char *program, int force, int never);

/* Builds the argv that runs the user's command under the bootstrap.
 * `interp` is the interpreter to use when the command does not start with one (NULL:
 * "python3", found on PATH by the caller). `user_argv` is the user's NULL-terminated command:
 * "script.py args...", or "INTERP [options] (script | -m module | -c code) args..." when it
 * starts with an interpreter (mp_python_is_interpreter). The result is
 *     INTERP -S <bootstrap>/mprof_launch.py [options] (script | -m module | -c code) args...
 * and the launcher execs exactly the user's command again. argv[0] is the interpreter as
 * given (a name to look up on PATH, or a path). Returns a malloc'd NULL-terminated vector
 * whose strings are malloc'd too (free with mp_python_argv_free), or NULL when out of memory. */
char **mp_python_argv(const char *interp, char *const *user_argv);
void mp_python_argv_free(char **argv);

/* Writes the directory holding mprof_launch.py into `out` (`cap` bytes) and returns 0, or
 * -ENOENT when no bootstrap is found (then `out` holds where it should be) or -ENAMETOOLONG.
 * It is looked for in one place only: <dir of the running mprof>/../share/gclab/python (the
 * path from bindir to datadir as configured), which the build tree stages like an install. */
int mp_python_bootstrap_dir(char *out, size_t cap);
/* The same, for the mprof executable at the absolute path `exe`. */
int mp_python_bootstrap_dir_of(const char *exe, char *out, size_t cap);

#endif
