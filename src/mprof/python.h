/* python.h - how `mprof run` starts a Python program under the project's bootstrap. */
#ifndef MP_PYTHON_H
#define MP_PYTHON_H

/* 1 when `program` names a Python script (ends in ".py"). */
int mp_python_is_script(const char *program);

/* 1 when `program` looks like a Python interpreter ("python", "python3.11", a path to one). */
int mp_python_is_interpreter(const char *program);

/* Builds the argv that runs the user's command under the bootstrap.
 * `interp` is the interpreter to use (NULL: "python3" from PATH). `user_argv` is the user's
 * NULL-terminated command: either "script.py args..." or, when it starts with an interpreter,
 * "python3 [-m module | script.py] args...". Returns a malloc'd NULL-terminated vector whose
 * strings are malloc'd too (free with mp_python_argv_free), or NULL when out of memory. */
char **mp_python_argv(const char *interp, char *const *user_argv);
void mp_python_argv_free(char **argv);

#endif
