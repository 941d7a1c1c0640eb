/* test_instrument_config.c - the grammar of MPROF_FUNCTIONS and MPROF_MIN_DURATION
 * (src/instrument/config.c), shared by mprof and libmprof_instrument. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "instrument/config.h"

static int keeps(const char *spec, const char *name, const char *bare)
{
	mpi_filter f;
	assert_int_equal(mpi_filter_init(&f, spec, NULL), 0);
	int k = mpi_filter_keeps(&f, name, bare);
	mpi_filter_release(&f);
	return k;
}

static void test_filter__globs_separated_by_commas(void **state)
{
	assert_true(keeps("parse*,compute", "parse_line", NULL));
	assert_true(keeps("parse*, compute ", "compute", NULL));
	assert_false(keeps("parse*,compute", "compute2", NULL));
	assert_false(keeps("parse*", "reparse", NULL));
	assert_true(keeps("*", "anything", NULL));
}

static void test_filter__exclusions(void **state)
{
	assert_true(keeps("parse*,!parse_tiny", "parse_line", NULL));
	assert_false(keeps("parse*,!parse_tiny", "parse_tiny", NULL));
	/* exclusions alone keep everything else */
	assert_true(keeps("!helper*", "main", NULL));
	assert_false(keeps("!helper*", "helper_x", NULL));
}

static void test_filter__bare_cpp_name_matches(void **state)
{
	assert_true(keeps("geo::area", "geo::area(geo::Square const&)", "geo::area"));
	assert_true(keeps("geo::*", "geo::area(geo::Square const&)", "geo::area"));
	assert_false(keeps("area", "geo::area(geo::Square const&)", "geo::area"));
}

static void test_filter__empty_pattern_refused(void **state)
{
	mpi_filter f;
	int bad = -1;
	assert_int_equal(mpi_filter_init(&f, "a,,b", &bad), -EINVAL);
	assert_int_equal(bad, 2);
	assert_int_equal(mpi_filter_init(&f, "", NULL), -EINVAL);
	assert_int_equal(mpi_filter_init(&f, "a, !", NULL), -EINVAL);
}

static void test_duration__units(void **state)
{
	long long ns = -1;
	assert_int_equal(mpi_parse_duration("1ms", &ns), 0);
	assert_int_equal(ns, 1000000);
	assert_int_equal(mpi_parse_duration("250us", &ns), 0);
	assert_int_equal(ns, 250000);
	assert_int_equal(mpi_parse_duration("42ns", &ns), 0);
	assert_int_equal(ns, 42);
	assert_int_equal(mpi_parse_duration("0.5", &ns), 0);
	assert_int_equal(ns, 500000000);
	assert_int_equal(mpi_parse_duration("2s", &ns), 0);
	assert_int_equal(ns, 2000000000);
}

static void test_duration__bad_input_refused(void **state)
{
	long long ns = 7;
	const char *bad[] = {"", "ms", "1 ms", "1min", "-1ms", "nan", "inf", "1e300", "1msx"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(mpi_parse_duration(bad[i], &ns), -EINVAL);
	assert_int_equal(ns, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter__globs_separated_by_commas),
		cmocka_unit_test(test_filter__exclusions),
		cmocka_unit_test(test_filter__bare_cpp_name_matches),
		cmocka_unit_test(test_filter__empty_pattern_refused),
		cmocka_unit_test(test_duration__units),
		cmocka_unit_test(test_duration__bad_input_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
