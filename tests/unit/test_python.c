/* test_python.c - the command line that runs a Python program under mprof's bootstrap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "python.h"

static char launcher[PATH_MAX + 32];

static int setup(void **state)
{
	(void)state;
	char dir[PATH_MAX];
	/* This test's own executable has no bootstrap beside it: mp_python_argv then names where
	 * it would be, as this does. */
	int rc = mp_python_bootstrap_dir(dir, sizeof dir);
	if (rc < 0 && rc != -ENOENT)
		return -1;
	snprintf(launcher, sizeof launcher, "%s/mprof_launch.py", dir);
	return 0;
}

/* Checks that `got` is `want` with "-S <launcher>" where want has "@". */
static void assert_argv(char **got, const char *const *want)
{
	assert_non_null(got);
	size_t i = 0;
	for (; want[i]; i++) {
		assert_non_null(got[i]);
		if (!strcmp(want[i], "@"))
			assert_string_equal(got[i], launcher);
		else
			assert_string_equal(got[i], want[i]);
	}
	assert_null(got[i]);
	mp_python_argv_free(got);
}

#define ARGV(...) ((char *const[]){__VA_ARGS__, NULL})
#define WANT(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_python__script_names(void **state)
{
	(void)state;
	assert_true(mp_python_is_script("x.py"));
	assert_true(mp_python_is_script("dir/run me.py"));
	assert_false(mp_python_is_script(".py"));
	assert_false(mp_python_is_script("x.pyc"));
	assert_false(mp_python_is_script("python3"));
}

static void test_python__interpreter_names(void **state)
{
	(void)state;
	assert_true(mp_python_is_interpreter("python"));
	assert_true(mp_python_is_interpreter("python3.11"));
	assert_true(mp_python_is_interpreter("/usr/bin/python3"));
	assert_true(mp_python_is_interpreter("./venv/bin/python"));
	assert_true(mp_python_is_interpreter("pypy3"));
	assert_false(mp_python_is_interpreter("python_tool.py"));
	assert_false(mp_python_is_interpreter("script.py"));
	assert_false(mp_python_is_interpreter("/no/such/interp"));
	assert_false(mp_python_is_interpreter("no-such-program-anywhere"));
	/* a binary under another name is an interpreter; a script is not */
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	assert_true(n > 0);
	exe[n] = 0;
	assert_true(mp_python_is_interpreter(exe));
	assert_true(mp_python_is_interpreter("sh") || access("/bin/sh", X_OK) < 0);
	assert_false(mp_python_is_interpreter(GCLAB_SOURCE_DIR "/bench/python/run"));
}

/* The build tree stages the installed layout: its bin/mprof finds share/gclab/python beside
 * it, a copy, never the source tree's python/. */
static void test_python__bootstrap_found_beside_the_built_mprof(void **state)
{
	(void)state;
	char dir[PATH_MAX], a[PATH_MAX], b[PATH_MAX], want[PATH_MAX + 32];
	assert_int_equal(mp_python_bootstrap_dir_of(GCLAB_TEST_MPROF, dir, sizeof dir), 0);
	assert_non_null(realpath(dir, a));
	assert_non_null(realpath(GCLAB_SOURCE_DIR "/python", b));
	assert_string_not_equal(a, b);
	snprintf(want, sizeof want, "%s/mprof_launch.py", a);
	assert_int_equal(access(want, R_OK), 0);
	assert_int_equal(mp_python_bootstrap_dir_of(GCLAB_TEST_MPROF, dir, 4), -ENAMETOOLONG);
}

/* A prefix moved elsewhere: the bootstrap is found from wherever mprof now is, and only there. */
static void test_python__bootstrap_follows_a_moved_prefix(void **state)
{
	(void)state;
	char root[] = "/tmp/mprof-prefix-XXXXXX", path[PATH_MAX], dir[PATH_MAX], want[PATH_MAX];
	assert_non_null(mkdtemp(root));
	const char *mk[] = {"bin", "share", "share/gclab", "share/gclab/python"};
	for (size_t i = 0; i < sizeof mk / sizeof *mk; i++) {
		snprintf(path, sizeof path, "%s/%s", root, mk[i]);
		assert_int_equal(mkdir(path, 0700), 0);
	}
	snprintf(path, sizeof path, "%s/bin/mprof", root);
	snprintf(want, sizeof want, "%s/bin/../share/gclab/python", root);
	assert_int_equal(mp_python_bootstrap_dir_of(path, dir, sizeof dir), -ENOENT);
	assert_string_equal(dir, want);

	snprintf(path, sizeof path, "%s/share/gclab/python/mprof_launch.py", root);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(path, sizeof path, "%s/bin/mprof", root);
	assert_int_equal(mp_python_bootstrap_dir_of(path, dir, sizeof dir), 0);
	assert_string_equal(dir, want);

	snprintf(path, sizeof path, "%s/share/gclab/python/mprof_launch.py", root);
	unlink(path);
	const char *rm[] = {"share/gclab/python", "share/gclab", "share", "bin"};
	for (size_t i = 0; i < sizeof rm / sizeof *rm; i++) {
		snprintf(path, sizeof path, "%s/%s", root, rm[i]);
		rmdir(path);
	}
	rmdir(root);
}

static void test_python__script_gets_default_interpreter(void **state)
{
	(void)state;
	assert_argv(mp_python_argv(NULL, ARGV("x.py", "a b", "-m")),
		    WANT("python3", "-S", "@", "x.py", "a b", "-m"));
	assert_argv(mp_python_argv("/opt/py/bin/python3.12", ARGV("dir/x.py")),
		    WANT("/opt/py/bin/python3.12", "-S", "@", "dir/x.py"));
}

static void test_python__user_command_follows_the_launcher_untouched(void **state)
{
	(void)state;
	assert_argv(mp_python_argv(NULL, ARGV("python3", "x.py", "-u")),
		    WANT("python3", "-S", "@", "x.py", "-u"));
	assert_argv(mp_python_argv(NULL, ARGV("/usr/bin/python3", "-u", "-X", "dev", "-W", "error",
					      "-m", "pkg", "a")),
		    WANT("/usr/bin/python3", "-S", "@", "-u", "-X", "dev", "-W", "error", "-m", "pkg",
			 "a"));
	assert_argv(mp_python_argv(NULL, ARGV("python3.11", "-B", "-c", "print(1)", "x")),
		    WANT("python3.11", "-S", "@", "-B", "-c", "print(1)", "x"));
	assert_argv(mp_python_argv(NULL, ARGV("python3", "-E", "--", "x.py")),
		    WANT("python3", "-S", "@", "-E", "--", "x.py"));
	assert_argv(mp_python_argv(NULL, ARGV("python3")), WANT("python3", "-S", "@"));
	assert_argv(mp_python_argv(NULL, ARGV("python3", "-")), WANT("python3", "-S", "@", "-"));
}

static void test_python__argv_is_a_copy(void **state)
{
	(void)state;
	char script[] = "x.py";
	char *user[] = {script, NULL};
	char **v = mp_python_argv(NULL, user);
	assert_non_null(v);
	assert_ptr_not_equal(v[3], script);
	script[0] = 'y';
	assert_string_equal(v[3], "x.py");
	mp_python_argv_free(v);
	mp_python_argv_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_python__script_names),
		cmocka_unit_test(test_python__interpreter_names),
		cmocka_unit_test(test_python__bootstrap_found_beside_the_built_mprof),
		cmocka_unit_test(test_python__bootstrap_follows_a_moved_prefix),
		cmocka_unit_test(test_python__script_gets_default_interpreter),
		cmocka_unit_test(test_python__user_command_follows_the_launcher_untouched),
		cmocka_unit_test(test_python__argv_is_a_copy),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
