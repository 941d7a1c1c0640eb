/* spawn.c - fork and exec without a shell; the child reports a failed exec through a
 * close-on-exec pipe, so the parent knows before it starts sampling. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"

extern char **environ;

static int check(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode) || access(path, X_OK) < 0)
		return -EACCES;
	return 0;
}

int mp_spawn_resolve(const char *prog, char *out, size_t cap)
{
	if (!*prog)
		return -ENOENT;
	if (strchr(prog, '/')) {
		if (strlen(prog) >= cap)
			return -ENAMETOOLONG;
		strcpy(out, prog);
		int rc = check(out);
		return rc == -ENOTDIR ? -ENOENT : rc;
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	int seen_eacces = 0;
	for (const char *p = path;; p++) {
		const char *colon = strchr(p, ':');
		size_t dlen = colon ? (size_t)(colon - p) : strlen(p);
		const char *dir = dlen ? p : ".";
		if (!dlen)
			dlen = 1;
		if (dlen + 1 + strlen(prog) < cap) {
			memcpy(out, dir, dlen);
			out[dlen] = '/';
			strcpy(out + dlen + 1, prog);
			int rc = check(out);
			if (rc == 0)
				return 0;
			if (rc == -EACCES)
				seen_eacces = 1;
		}
		if (!colon)
			break;
		p = colon;
	}
	return seen_eacces ? -EACCES : -ENOENT;
}

char **mp_spawn_env(const char *name, const char *value)
{
	size_t n = 0, nlen = strlen(name);
	while (environ[n])
		n++;
	char **env = calloc(n + 2, sizeof *env);
	if (!env)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strncmp(environ[i], name, nlen) && environ[i][nlen] == '=')
			continue;
		if (!(env[k++] = strdup(environ[i])))
			goto fail;
	}
	size_t len = nlen + strlen(value) + 2;
	if (!(env[k] = malloc(len)))
		goto fail;
	memcpy(env[k], name, nlen);
	env[k][nlen] = '=';
	strcpy(env[k] + nlen + 1, value);
	return env;
fail:
	mp_spawn_env_free(env);
	return NULL;
}

void mp_spawn_env_free(char **env)
{
	if (!env)
		return;
	for (char **p = env; *p; p++)
		free(*p);
	free(env);
}

int mp_spawn(const char *path, char *const argv[], char *const envp[], int keep_fd,
	     const sigset_t *mask, pid_t *pid)
{
	int err_pipe[2];
	if (pipe2(err_pipe, O_CLOEXEC) < 0)
		return -errno;
	pid_t child = fork();
	if (child < 0) {
		int e = errno;
		close(err_pipe[0]);
		close(err_pipe[1]);
		return -e;
	}
	if (child == 0) {
		/* mprof changes no signal's disposition (it blocks the ones it reads), so the
		 * program inherits exactly what mprof was given: a SIGHUP ignored under nohup stays
		 * ignored. Only the mask is mprof's own, and goes back to the caller's. */
		sigprocmask(SIG_SETMASK, mask, NULL);
		if (keep_fd >= 0)
			fcntl(keep_fd, F_SETFD, 0);
		execve(path, argv, envp);
		int e = errno;
		while (write(err_pipe[1], &e, sizeof e) < 0 && errno == EINTR)
			;
		_exit(127);
	}
	close(err_pipe[1]);
	int e = 0;
	ssize_t n;
	do
		n = read(err_pipe[0], &e, sizeof e);
	while (n < 0 && errno == EINTR);
	close(err_pipe[0]);
	if (n == (ssize_t)sizeof e) {
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
		return -e;
	}
	*pid = child;
	return 0;
}
