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
#include <unistd.h>

#include "python.h"

static char launcher[PATH_MAX + 32];

static int setup(void **state)
{
	(void)state;
	char dir[PATH_MAX];
	if (mp_python_bootstrap_dir(dir, sizeof dir) < 0)
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

static void test_python__bootstrap_found_in_source_tree(void **state)
{
	(void)state;
	char dir[PATH_MAX], a[PATH_MAX], b[PATH_MAX];
	assert_int_equal(mp_python_bootstrap_dir(dir, sizeof dir), 0);
	assert_non_null(realpath(dir, a));
	assert_non_null(realpath(GCLAB_SOURCE_DIR "/python", b));
	assert_string_equal(a, b);
	assert_int_equal(access(launcher, R_OK), 0);
	assert_int_equal(mp_python_bootstrap_dir(dir, 4), -ENAMETOOLONG);
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
		cmocka_unit_test(test_python__bootstrap_found_in_source_tree),
		cmocka_unit_test(test_python__script_gets_default_interpreter),
		cmocka_unit_test(test_python__user_command_follows_the_launcher_untouched),
		cmocka_unit_test(test_python__argv_is_a_copy),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
