/* test_spawn.c - starting the profiled program (record/spawn.c): found as execvp finds it,
 * exec errors returned, exactly one fd inherited, the environment changed in one name only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"

static int wait_status(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		assert_int_equal(errno, EINTR);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void test_spawn__resolve_finds_programs_as_execvp_does(void **state)
{
	(void)state;
	char out[PATH_MAX];
	assert_int_equal(mp_spawn_resolve("sh", out, sizeof out), 0);
	assert_true(out[0] == '/' && strstr(out, "/sh"));
	assert_int_equal(access(out, X_OK), 0);
	assert_int_equal(mp_spawn_resolve("no-such-program-gclab", out, sizeof out), -ENOENT);
	assert_int_equal(mp_spawn_resolve("", out, sizeof out), -ENOENT);
	assert_int_equal(mp_spawn_resolve("/nonexistent/dir/prog", out, sizeof out), -ENOENT);
	/* A file without execute permission: the shell's 126, not 127. */
	char path[] = "/tmp/test_spawn.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	chmod(path, 0644);
	/* Even root cannot execute a file with no execute bit at all. */
	assert_int_equal(mp_spawn_resolve(path, out, sizeof out), -EACCES);
	unlink(path);
	/* Too long for the buffer. */
	assert_int_equal(mp_spawn_resolve("/bin/sh", out, 4), -ENAMETOOLONG);
}

static void test_spawn__env_sets_one_name_and_keeps_the_rest(void **state)
{
	(void)state;
	setenv("GCLAB_TEST_KEEP", "kept", 1);
	setenv("GCLAB_TEST_SET", "old", 1);
	char **env = mp_spawn_env("GCLAB_TEST_SET", "new");
	assert_non_null(env);
	int keep = 0, set = 0;
	for (char **e = env; *e; e++) {
		keep += !strcmp(*e, "GCLAB_TEST_KEEP=kept");
		set += !strncmp(*e, "GCLAB_TEST_SET=", 15);
		if (!strncmp(*e, "GCLAB_TEST_SET=", 15))
			assert_string_equal(*e, "GCLAB_TEST_SET=new");
	}
	assert_int_equal(keep, 1);
	assert_int_equal(set, 1);
	mp_spawn_env_free(env);
	unsetenv("GCLAB_TEST_SET");
	env = mp_spawn_env("GCLAB_TEST_SET", "added");
	set = 0;
	for (char **e = env; *e; e++)
		set += !strcmp(*e, "GCLAB_TEST_SET=added");
	assert_int_equal(set, 1);
	mp_spawn_env_free(env);
}

/* The child sees keep_fd open and another close-on-exec fd closed. */
static void test_spawn__keeps_exactly_the_one_fd(void **state)
{
	(void)state;
	int keep[2], other[2];
	assert_int_equal(pipe2(keep, O_CLOEXEC), 0);
	assert_int_equal(pipe2(other, O_CLOEXEC), 0);
	char script[256];
	snprintf(script, sizeof script,
		 "{ true >&%d; } 2>/dev/null || exit 3; { true >&%d; } 2>/dev/null && exit 4; exit 0",
		 keep[1], other[1]);
	char *argv[] = {"sh", "-c", script, NULL};
	char path[PATH_MAX];
	assert_int_equal(mp_spawn_resolve("sh", path, sizeof path), 0);
	sigset_t mask;
	sigemptyset(&mask);
	pid_t pid;
	char **env = mp_spawn_env("GCLAB_TEST", "1");
	assert_int_equal(mp_spawn(path, argv, env, keep[1], &mask, &pid), 0);
	assert_int_equal(wait_status(pid), 0);
	mp_spawn_env_free(env);
	close(keep[0]);
	close(keep[1]);
	close(other[0]);
	close(other[1]);
}

static void test_spawn__exec_failure_is_returned_and_the_child_reaped(void **state)
{
	(void)state;
	char path[] = "/tmp/test_spawn_noexec.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\x7f" "ELF garbage", 12), 12);
	close(fd);
	chmod(path, 0755);
	char *argv[] = {path, NULL};
	sigset_t mask;
	sigemptyset(&mask);
	pid_t pid = 0;
	char **env = mp_spawn_env("GCLAB_TEST", "1");
	int rc = mp_spawn(path, argv, env, -1, &mask, &pid);
	assert_int_equal(rc, -ENOEXEC);
	/* Already reaped: no child is left. */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	mp_spawn_env_free(env);
	unlink(path);
}

static void test_spawn__signal_mask_and_status_pass_through(void **state)
{
	(void)state;
	/* mprof runs with SIGTERM blocked; the program must not inherit that. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	char *argv[] = {"sh", "-c", "kill -TERM $$; exit 5", NULL};
	char path[PATH_MAX];
	assert_int_equal(mp_spawn_resolve("sh", path, sizeof path), 0);
	char **env = mp_spawn_env("GCLAB_TEST", "1");
	pid_t pid;
	assert_int_equal(mp_spawn(path, argv, env, -1, &old, &pid), 0);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGTERM);
	sigprocmask(SIG_SETMASK, &old, NULL);
	mp_spawn_env_free(env);
}

/* nohup: a signal mprof was started with ignored stays ignored for the program. */
static void test_spawn__ignored_signals_stay_ignored(void **state)
{
	(void)state;
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_hup, old_int;
	sigaction(SIGHUP, &ign, &old_hup);
	sigaction(SIGINT, &ign, &old_int);
	sigset_t mask;
	sigemptyset(&mask);
	char *argv[] = {"sh", "-c", "kill -HUP $$; kill -INT $$; exit 7", NULL};
	char path[PATH_MAX];
	assert_int_equal(mp_spawn_resolve("sh", path, sizeof path), 0);
	char **env = mp_spawn_env("GCLAB_TEST", "1");
	pid_t pid;
	assert_int_equal(mp_spawn(path, argv, env, -1, &mask, &pid), 0);
	assert_int_equal(wait_status(pid), 7);
	mp_spawn_env_free(env);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGINT, &old_int, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spawn__resolve_finds_programs_as_execvp_does),
		cmocka_unit_test(test_spawn__env_sets_one_name_and_keeps_the_rest),
		cmocka_unit_test(test_spawn__keeps_exactly_the_one_fd),
		cmocka_unit_test(test_spawn__exec_failure_is_returned_and_the_child_reaped),
		cmocka_unit_test(test_spawn__signal_mask_and_status_pass_through),
		cmocka_unit_test(test_spawn__ignored_signals_stay_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
