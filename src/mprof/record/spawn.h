/* spawn.h - start the profiled program: no shell, exec errors reported, one fd inherited. */
#ifndef MP_SPAWN_H
#define MP_SPAWN_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

/* Finds `prog` as execvp would (PATH unless it holds a '/'). Returns 0 with the path in
 * `out`; -ENOENT when there is no such program (a shell's 127); -EACCES when it exists but
 * cannot be executed (126); -ENAMETOOLONG. */
int mp_spawn_resolve(const char *prog, char *out, size_t cap);

/* A copy of the environment with NAME=value set (replacing any NAME=), NULL-terminated;
 * free with mp_spawn_env_free. NULL when out of memory. */
char **mp_spawn_env(const char *name, const char *value);
void mp_spawn_env_free(char **env);

/* Starts `path` with `argv` and `envp`. In the child: `keep_fd` (if >= 0) stays open across
 * exec and the signal mask becomes `mask`; dispositions are inherited untouched (mprof blocks
 * signals, it never ignores or catches them, so what the program gets is what mprof got: nohup
 * works). Returns 0 and *pid once the exec has succeeded, or the exec's -errno (the failed
 * child already reaped). */
int mp_spawn(const char *path, char *const argv[], char *const envp[], int keep_fd,
	     const sigset_t *mask, pid_t *pid);

#endif
