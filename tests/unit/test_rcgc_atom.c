/* test_rcgc_atom.c - None, int, float, str. */
#include "test_rcgc_util.h"

static void test_atom__values_round_trip(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_object *i = rc_int_new(rt, INT64_MIN), *f = rc_float_new(rt, -2.5);
	rc_object *s = rc_str_new(rt, "a\0b", 3), *e = rc_str_new(rt, NULL, 0);
	assert_true(rc_int_value(i) == INT64_MIN);
	assert_true(rc_float_value(f) == -2.5);
	assert_int_equal(rc_str_len(s), 3);
	assert_memory_equal(rc_str_data(s), "a\0b", 4); /* NUL-terminated after the bytes */
	assert_int_equal(rc_str_len(e), 0);
	assert_string_equal(rc_str_data(e), "");
	assert_null(rc_str_new(rt, NULL, 5));
	assert_null(rc_str_from(rt, NULL));
	/* accessors on the wrong type give neutral values, never crash */
	assert_int_equal(rc_int_value(s), 0);
	assert_true(rc_float_value(i) == 0.0);
	assert_null(rc_str_data(i));
	assert_ptr_equal(rc_typeof(i), &rc_int_type);
	assert_ptr_equal(rc_typeof(rc_none(rt)), &rc_none_type);
	rc_decref(rt, i);
	rc_decref(rt, f);
	rc_decref(rt, s);
	rc_decref(rt, e);
	free_rt(rt, &t);
}

static void test_atom__atoms_are_not_counted_by_the_collector(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	long c[3];
	rc_object *i = rc_int_new(rt, 1), *s = rc_str_from(rt, "x");
	rc_gc_get_count(rt, c);
	assert_int_equal(c[0], 0);
	assert_false(rc_gc_is_tracked(i) || rc_gc_is_tracked(s));
	rc_decref(rt, i);
	rc_decref(rt, s);
	free_rt(rt, &t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atom__values_round_trip),
		cmocka_unit_test(test_atom__atoms_are_not_counted_by_the_collector),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
