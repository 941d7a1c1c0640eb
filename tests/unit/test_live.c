/* test_live.c - the live view's model (src/mprof/live/live.h): the chart's columns over the
 * three resolutions of samples, a long window at a high rate, collections on the axis, the
 * open brackets from B lines, the tree from C lines, and feed lines that are not ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "live.h"

#define T0 1795545000.0

static int feed(mp_live *m, const char *line)
{
	return mp_live_add_feed_line(m, line, strlen(line));
}

static void test_live__chart_column_is_the_highest_sample_in_its_span(void **state)
{
	(void)state;
	mp_live *m = mp_live_new();
	assert_non_null(m);
	/* 10 s at 10 samples a second: 1 MiB, except 7 MiB at 3.5 s. */
	for (int i = 1; i <= 100; i++)
		mp_live_add_sample(m, T0 + i * 0.1, i == 35 ? 7.0 : 1.0);
	double out[10];
	int gc[10];
	double hi = mp_live_chart(m, T0 + 10, 10, 10, out, gc);
	assert_true(hi == 7.0);
	for (int c = 0; c < 10; c++) {
		assert_true(out[c] == (c == 3 ? 7.0 : 1.0));
		assert_int_equal(gc[c], 0);
	}
	/* Before the first sample: no value, not zero. */
	hi = mp_live_chart(m, T0 + 5, 10, 10, out, gc);
	assert_true(out[0] < 0 && out[4] < 0 && out[9] == 1.0);
	mp_live_free(m);
}

static void test_live__an_hour_at_a_thousand_samples_a_second_fills_the_window(void **state)
{
	(void)state;
	mp_live *m = mp_live_new();
	assert_non_null(m);
	/* One sample per ms for an hour (more than the finest ring holds, 524 s), memory
	 * rising by 1 MiB a minute. */
	for (long i = 1; i < 3600000; i++)
		mp_live_add_sample(m, T0 + i / 1000.0, (double)(i / 60000));
	assert_int_equal(m->samples, 3599999);
	enum { N = 120 };
	double out[N];
	int gc[N];
	double hi = mp_live_chart(m, T0 + 3600, 3600, N, out, gc);
	assert_true(hi == 59.0);
	/* Every column has its sample, the oldest included; each 30 s column holds the minute
	 * it is in (a quarter of a column early at most: the 1 s ring). */
	for (int c = 0; c < N; c++) {
		assert_true(out[c] >= 0);
		assert_true(out[c] == (double)(c / 2) || (c % 2 == 1 && out[c] == (double)(c / 2 + 1)));
	}
	/* A short window at the same moment reads a finer ring: every 1 s column has its value. */
	double out5[5];
	int gc5[5];
	mp_live_chart(m, T0 + 3600, 5, 5, out5, gc5);
	for (int c = 0; c < 5; c++)
		assert_true(out5[c] == 59.0);
	mp_live_free(m);
}

static void test_live__collections_mark_their_column_with_the_oldest_generation(void **state)
{
	(void)state;
	mp_live *m = mp_live_new();
	assert_non_null(m);
	mp_live_add_sample(m, T0 + 0.5, 1.0);
	mp_gc g0 = {.gen = 0, .t0 = T0 + 2.2, .t1 = T0 + 2.21, .m0 = 1, .m1 = 1, .collected = 3};
	mp_gc g2 = {.gen = 2, .t0 = T0 + 2.4, .t1 = T0 + 2.5, .m0 = 1, .m1 = 0.5, .collected = 12};
	mp_gc g1 = {.gen = 1, .t0 = T0 + 9.99, .t1 = T0 + 10, .m0 = 1, .m1 = 1, .collected = 1};
	mp_live_add_gc(m, &g0);
	mp_live_add_gc(m, &g2);
	mp_live_add_gc(m, &g1);
	double out[10];
	int gc[10];
	mp_live_chart(m, T0 + 10, 10, 10, out, gc);
	assert_int_equal(gc[2], 3); /* gen 2 beside gen 0: the older generation */
	assert_int_equal(gc[9], 2); /* at the very end: the last column */
	assert_int_equal(gc[0] + gc[1] + gc[3] + gc[8], 0);
	assert_int_equal(m->gc_total, 3);
	assert_int_equal(m->gc_runs[0] + m->gc_runs[1] + m->gc_runs[2], 3);
	assert_int_equal(m->gc_last.gen, 1);
	mp_live_free(m);
}

static void test_live__begin_lines_open_brackets_and_ends_close_them(void **state)
{
	(void)state;
	mp_live *m = mp_live_new();
	assert_non_null(m);
	m->pid = 42;
	assert_int_equal(feed(m, "B 42 0 1795545001.000000000 1048576 main"), 0);
	assert_int_equal(feed(m, "B 42 1 1795545002.500000000 2097152 load data"), 0);
	assert_int_equal(m->depth, 2);
	assert_string_equal(m->stack[1].name, "load data");
	assert_true(m->stack[1].m0 == 2.0);
	/* A child's bracket is not the program's stack. */
	assert_int_equal(feed(m, "B 43 2 1795545003.000000000 0 other"), 0);
	assert_int_equal(m->depth, 2);
	/* Its end, from the profile, closes it. */
	mp_live_add_call(m, "load data", 1, 0, T0 + 2.5, 2.0, T0 + 4, 3.0);
	assert_int_equal(m->depth, 1);
	assert_string_equal(m->last.name, "load data");
	mp_live_free(m);
}

static void test_live__child_lines_keep_the_largest_members_fresh(void **state)
{
	(void)state;
	mp_live *m = mp_live_new();
	assert_non_null(m);
	mp_live_add_sample(m, T0 + 1, 1.0);
	assert_int_equal(feed(m, "C 100 8388608 1795545001.000000000"), 0);
	assert_int_equal(feed(m, "C 101 16777216 1795545001.000000000"), 0);
	assert_int_equal(feed(m, "C 100 9437184 1795545001.100000000"), 0);
	mp_live_proc top[4];
	size_t n = mp_live_top_procs(m, 5, top, 4);
	assert_int_equal(n, 2);
	assert_int_equal(top[0].pid, 101);
	assert_true(top[0].mem == 16.0);
	assert_int_equal(top[1].pid, 100);
	assert_true(top[1].mem == 9.0);
	/* Not seen for longer than `fresh`: gone from the list. */
	mp_live_add_sample(m, T0 + 20, 1.0);
	assert_int_equal(mp_live_top_procs(m, 5, top, 4), 0);
	mp_live_free(m);
}

static void test_live__lines_that_are_not_feed_lines_are_refused(void **state)
{
	(void)state;
	mp_live *m = mp_live_new();
	assert_non_null(m);
	static const char *bad[] = {
		"", "B", "B ", "X 1 2 3", "B 1 0 1.0 5", "B 1 -1 1.0 5 name", "B x 0 1.0 5 name",
		"B 1 0 1.0x 5 name", "C 1 2", "C 1 2 3x", "C 1 2 3 4", "CC 1 2 3",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(feed(m, bad[i]), -1);
	assert_int_equal(m->depth, 0);
	assert_int_equal(m->nprocs, 0);
	mp_live_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live__chart_column_is_the_highest_sample_in_its_span),
		cmocka_unit_test(test_live__an_hour_at_a_thousand_samples_a_second_fills_the_window),
		cmocka_unit_test(test_live__collections_mark_their_column_with_the_oldest_generation),
		cmocka_unit_test(test_live__begin_lines_open_brackets_and_ends_close_them),
		cmocka_unit_test(test_live__child_lines_keep_the_largest_members_fresh),
		cmocka_unit_test(test_live__lines_that_are_not_feed_lines_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
