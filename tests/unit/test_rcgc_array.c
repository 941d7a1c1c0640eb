/* test_rcgc_array.c - numeric arrays: creation, random fill, mean. */
#include <math.h>

#include "test_rcgc_util.h"

static void test_array__mean_of_known_values(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_object *a = rc_array_new(rt, RC_INT64, 4);
	int64_t *v = rc_array_data(a);
	v[0] = 1;
	v[1] = 2;
	v[2] = 3;
	v[3] = INT64_MAX; /* the sum overflows int64: the mean must not */
	double m;
	assert_int_equal(rc_array_mean(a, &m), RC_OK);
	assert_true(fabs(m - ((double)INT64_MAX + 6) / 4) < 1e3);
	rc_object *f = rc_array_new(rt, RC_FLOAT64, 3);
	double *fv = rc_array_data(f);
	fv[0] = 0.5;
	fv[1] = 1.5;
	fv[2] = 4.0;
	assert_int_equal(rc_array_mean(f, &m), RC_OK);
	assert_true(m == 2.0);
	rc_object *e = rc_array_new(rt, RC_INT64, 0);
	assert_int_equal(rc_array_mean(e, &m), RC_OK);
	assert_true(m == 0.0);
	assert_int_equal(rc_array_len(a), 4);
	assert_int_equal(rc_array_dtype(f), RC_FLOAT64);
	assert_int_equal(rc_array_mean(rc_none(rt), &m), RC_ETYPE);
	assert_null(rc_array_new(rt, (rc_dtype)7, 3));
	assert_false(rc_gc_is_tracked(a));
	rc_decref(rt, a);
	rc_decref(rt, f);
	rc_decref(rt, e);
	free_rt(rt, &t);
}

static void test_array__random_fill_is_in_range_and_reproducible(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	size_t n = 1000000;
	rc_object *a = rc_array_random_int(rt, n, 1, 100, 42);
	rc_object *b = rc_array_random_int(rt, n, 1, 100, 42);
	rc_object *c = rc_array_random_int(rt, n, 1, 100, 43);
	assert_non_null(a);
	const int64_t *va = rc_array_data(a), *vb = rc_array_data(b), *vc = rc_array_data(c);
	int seen_lo = 0, seen_hi = 0;
	size_t differ = 0;
	for (size_t i = 0; i < n; i++) {
		assert_true(va[i] >= 1 && va[i] <= 100);
		assert_true(va[i] == vb[i]);
		seen_lo |= va[i] == 1;
		seen_hi |= va[i] == 100;
		differ += va[i] != vc[i];
	}
	assert_true(seen_lo && seen_hi);
	assert_true(differ > n / 2);
	double m;
	rc_array_mean(a, &m);
	assert_true(fabs(m - 50.5) < 0.2);
	assert_int_equal(rc_array_fill_random(a, 5, 4, 1), RC_EINVAL);
	assert_int_equal(rc_array_fill_random(a, INT64_MIN, INT64_MAX, 1), RC_OK); /* full range */
	assert_null(rc_array_random_int(rt, 10, 3, 2, 0));
	rc_decref(rt, a);
	rc_decref(rt, b);
	rc_decref(rt, c);
	free_rt(rt, &t);
}

static void test_array__buffer_is_counted(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	size_t before = t.live_bytes;
	rc_object *a = rc_array_new(rt, RC_INT64, 1 << 20);
	assert_true(t.live_bytes - before >= (size_t)8 << 20);
	rc_mem_stats ms;
	rc_mem_get_stats(rt, &ms);
	assert_true(ms.live_bytes >= (size_t)8 << 20);
	rc_decref(rt, a);
	assert_int_equal(t.live_bytes, before);
	free_rt(rt, &t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_array__mean_of_known_values),
		cmocka_unit_test(test_array__random_fill_is_in_range_and_reproducible),
		cmocka_unit_test(test_array__buffer_is_counted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
