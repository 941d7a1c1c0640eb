/* python.c - the command line that runs a Python program under mprof's bootstrap.
 *
 * "INTERP [options] TARGET args..." becomes "INTERP -S <bootstrap>/mprof_launch.py [options]
 * TARGET args...": everything the user wrote after the interpreter goes to the launcher
 * untouched, and the launcher execs exactly the user's command again (python/mprof_launch.py).
 * Nothing here parses Python's options.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "python.h"

#define LAUNCHER "mprof_launch.py"

/* Where the bootstrap lives, from the directory of mprof's executable: the build tree stages
 * the installed layout, so this one relative path serves a binary run in place, an installed,
 * a DESTDIR-staged and a moved one alike, and no binary carries a path of its build. */
#ifndef GCLAB_BIN_TO_DATA
#define GCLAB_BIN_TO_DATA "../share/gclab"
#endif

int mp_python_is_script(const char *program)
{
	size_t n = strlen(program);
	return n > 3 && !strcmp(program + n - 3, ".py");
}

/* 1 when the file at `path` is an ELF executable (a program, not a script). */
static int is_elf(const char *path)
{
	unsigned char magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, magic, sizeof magic);
	close(fd);
	return n == 4 && !memcmp(magic, "\x7f" "ELF", 4) && access(path, X_OK) == 0;
}

/* 1 when `name` is an ELF executable, looked up on PATH when it holds no '/'. */
static int names_binary(const char *name)
{
	if (strchr(name, '/'))
		return is_elf(name);
	const char *path = getenv("PATH");
	if (!path || !*name)
		return 0;
	char file[PATH_MAX];
	for (const char *p = path;; p++) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len && (size_t)snprintf(file, sizeof file, "%.*s/%s", (int)len, p, name) <
				   sizeof file &&
		    access(file, X_OK) == 0)
			return is_elf(file); /* the first one found is the one exec runs */
		if (!end)
			return 0;
		p = end;
	}
}

/* An interpreter by its name: python, python3.11, /usr/bin/python3, pypy3. */
static int named_like_python(const char *program)
{
	const char *base = strrchr(program, '/');
	base = base ? base + 1 : program;
	return !strncmp(base, "python", 6) || !strncmp(base, "pypy", 4);
}

int mp_python_is_interpreter(const char *program)
{
	if (mp_python_is_script(program))
		return 0;
	if (named_like_python(program))
		return 1;
	return names_binary(program); /* a script is run by python; a binary is the python */
}

int mp_python_wanted(const char *program, int force, int never)
{
	if (never)
		return 0;
	return force || mp_python_is_script(program) || named_like_python(program);
}

/* 0 when `dir`/mprof_launch.py exists, with `dir` copied to out. */
static int try_dir(const char *dir, char *out, size_t cap)
{
	char file[PATH_MAX];
	if ((size_t)snprintf(file, sizeof file, "%s/%s", dir, LAUNCHER) >= sizeof file)
		return -ENAMETOOLONG;
	if (access(file, R_OK) < 0)
		return -ENOENT;
	if ((size_t)snprintf(out, cap, "%s", dir) >= cap)
		return -ENAMETOOLONG;
	return 0;
}

int mp_python_bootstrap_dir_of(const char *exe, char *out, size_t cap)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(exe, '/');
	if (!slash)
		return -ENOENT;
	if ((size_t)snprintf(dir, sizeof dir, "%.*s/%s/python", (int)(slash - exe), exe,
			     GCLAB_BIN_TO_DATA) >= sizeof dir)
		return -ENAMETOOLONG;
	int rc = try_dir(dir, out, cap);
	if (rc == -ENOENT && (size_t)snprintf(out, cap, "%s", dir) >= cap)
		return -ENAMETOOLONG;
	return rc;
}

int mp_python_bootstrap_dir(char *out, size_t cap)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return -ENOENT;
	exe[n] = 0;
	return mp_python_bootstrap_dir_of(exe, out, cap);
}

char **mp_python_argv(const char *interp, char *const *user_argv)
{
	char dir[PATH_MAX], launcher[PATH_MAX + sizeof LAUNCHER + 1];
	size_t n = 0;
	while (user_argv[n])
		n++;
	int has_interp = n && mp_python_is_interpreter(user_argv[0]);

	/* A missing bootstrap still gives a command: python then names the file it lacks. */
	(void)mp_python_bootstrap_dir(dir, sizeof dir);
	snprintf(launcher, sizeof launcher, "%s/%s", dir, LAUNCHER);

	/* interpreter, -S, launcher, the rest of the user's command, NULL */
	char **v = calloc(n + 4, sizeof *v);
	if (!v)
		return NULL;
	size_t k = 0, i = 0;
	if (!(v[k++] = strdup(has_interp ? user_argv[i++] : interp ? interp : "python3")))
		goto fail;
	if (!(v[k++] = strdup("-S")) || !(v[k++] = strdup(launcher)))
		goto fail;
	for (; i < n; i++)
		if (!(v[k++] = strdup(user_argv[i])))
			goto fail;
	return v;
fail:
	mp_python_argv_free(v);
	return NULL;
}

void mp_python_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}
