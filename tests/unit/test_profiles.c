/* test_profiles.c - profile discovery: which files `mprof list/plot/peak/rm` see, and how an
 * argument names one (view/profiles.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dat.h"
#include "profiles.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test_profiles.XXXXXX");
	if (!mkdtemp(dir) || chdir(dir) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void touch(const char *name)
{
	FILE *f = fopen(name, "w");
	assert_non_null(f);
	fclose(f);
}

static void test_profiles__index_resolves_like_memory_profiler(void **state)
{
	(void)state;
	const char *names[] = {"mprofile_20261124183002.dat", "mprofile_20261124183001.dat",
			       "mprofile_2026112418300.dat", "other.dat"};
	for (int i = 0; i < 4; i++)
		touch(names[i]);
	mp_profiles p;
	assert_int_equal(mp_profiles_scan(&p, NULL), 0);
	assert_int_equal(p.count, 2);
	assert_string_equal(p.names[0], "mprofile_20261124183001.dat");
	assert_string_equal(mp_profiles_resolve(&p, "-1"), "mprofile_20261124183002.dat");
	assert_string_equal(mp_profiles_resolve(&p, "0"), "mprofile_20261124183001.dat");
	assert_string_equal(mp_profiles_resolve(&p, "other.dat"), "other.dat");
	assert_null(mp_profiles_resolve(&p, "2"));
	assert_null(mp_profiles_resolve(&p, "-3"));
	assert_null(mp_profiles_resolve(&p, "missing.dat"));
	mp_profiles_release(&p);
}

static void test_profiles__scan_is_sorted_oldest_first_and_reads_a_given_directory(void **state)
{
	(void)state;
	assert_int_equal(mkdir("sub", 0755), 0);
	/* Created newest first: the order must come from the names, not the directory. */
	touch("sub/mprofile_20261231235959.dat");
	touch("sub/mprofile_20250101000000.dat");
	touch("sub/mprofile_20260601120000.dat");
	touch("sub/mprofile_20260601120000.dat.tmp");
	touch("mprofile_20240101000000.dat"); /* the current directory's: not in sub */
	mp_profiles p;
	assert_int_equal(mp_profiles_scan(&p, "sub"), 0);
	assert_int_equal(p.count, 3);
	assert_string_equal(p.names[0], "mprofile_20250101000000.dat");
	assert_string_equal(p.names[1], "mprofile_20260601120000.dat");
	assert_string_equal(p.names[2], "mprofile_20261231235959.dat");
	mp_profiles_release(&p);
	assert_int_equal(p.count, 0);
}

static void test_profiles__missing_directory_is_an_error_and_leaves_nothing(void **state)
{
	(void)state;
	mp_profiles p;
	assert_int_equal(mp_profiles_scan(&p, "no-such-dir"), -ENOENT);
	assert_int_equal(p.count, 0);
	assert_null(p.names);
	mp_profiles_release(&p);
}

static void test_profiles__an_empty_directory_has_no_profiles(void **state)
{
	(void)state;
	mp_profiles p;
	assert_int_equal(mp_profiles_scan(&p, NULL), 0);
	assert_int_equal(p.count, 0);
	assert_null(mp_profiles_resolve(&p, "-1"));
	assert_null(mp_profiles_resolve(&p, "0"));
	mp_profiles_release(&p);
}

static void test_profiles__default_names_are_what_scan_finds(void **state)
{
	(void)state;
	char name[MP_DAT_NAME_MAX];
	mp_dat_default_name(name, 1795545560LL);
	assert_int_equal(strlen(name), strlen("mprofile_YYYYMMDDhhmmss.dat"));
	assert_true(mp_dat_is_default_name(name));
	touch(name);
	mp_profiles p;
	assert_int_equal(mp_profiles_scan(&p, NULL), 0);
	assert_int_equal(p.count, 1);
	assert_string_equal(p.names[0], name);
	mp_profiles_release(&p);
	assert_false(mp_dat_is_default_name("mprofile_2026112418300x.dat"));
	assert_false(mp_dat_is_default_name("mprofile_20261124183001.dat~"));
	assert_false(mp_dat_is_default_name("xmprofile_20261124183001.dat"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_profiles__index_resolves_like_memory_profiler, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profiles__scan_is_sorted_oldest_first_and_reads_a_given_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profiles__missing_directory_is_an_error_and_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profiles__an_empty_directory_has_no_profiles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profiles__default_names_are_what_scan_finds, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
