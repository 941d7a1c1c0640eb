/* test_rcgc_dict.c - dicts: keys by value or identity, growth, deletion, iteration, tracking. */
#include "test_rcgc_util.h"

static void test_dict__keys_compare_by_value_for_atoms(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_object *d = rc_dict_new(rt);
	rc_object *k1 = rc_str_from(rt, "key"), *k2 = rc_str_from(rt, "key");
	rc_object *i1 = rc_int_new(rt, 42), *i2 = rc_int_new(rt, 42), *f = rc_float_new(rt, 42.0);
	rc_object *l = rc_list_new(rt), *l2 = rc_list_new(rt);
	assert_int_equal(rc_dict_set(rt, d, k1, i1), RC_OK);
	assert_ptr_equal(rc_dict_get(d, k2), i1);
	assert_ptr_equal(rc_dict_get_str(d, "key"), i1);
	assert_null(rc_dict_get_str(d, "nope"));
	assert_int_equal(rc_dict_set(rt, d, i1, k1), RC_OK);
	assert_ptr_equal(rc_dict_get(d, i2), k1);
	assert_null(rc_dict_get(d, f)); /* an int never equals a float here */
	assert_int_equal(rc_dict_set(rt, d, l, l), RC_OK);
	assert_ptr_equal(rc_dict_get(d, l), l);
	assert_null(rc_dict_get(d, l2)); /* identity */
	assert_int_equal(rc_dict_size(d), 3);
	assert_int_equal(rc_dict_set(rt, d, k2, i2), RC_OK); /* replaces the value */
	assert_int_equal(rc_dict_size(d), 3);
	assert_ptr_equal(rc_dict_get(d, k1), i2);
	assert_int_equal(rc_dict_del(rt, d, k2), RC_OK);
	assert_int_equal(rc_dict_del(rt, d, k2), RC_EKEY);
	assert_int_equal(rc_dict_size(d), 2);
	assert_int_equal(rc_dict_set(rt, d, NULL, i1), RC_EINVAL);
	assert_int_equal(rc_dict_set(rt, l, k1, i1), RC_ETYPE);
	rc_object *objs[] = {d, k1, k2, i1, i2, f, l, l2};
	for (size_t j = 0; j < 8; j++)
		rc_decref(rt, objs[j]);
	free_rt(rt, &t);
}

static void test_dict__grows_and_survives_many_deletions(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_object *d = rc_dict_new(rt);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 1000; i++) {
			rc_object *k = rc_int_new(rt, i), *v = rc_int_new(rt, i * 2);
			assert_int_equal(rc_dict_set(rt, d, k, v), RC_OK);
			rc_decref(rt, k);
			rc_decref(rt, v);
		}
		assert_int_equal(rc_dict_size(d), 1000);
		for (int i = 0; i < 1000; i += 2) {
			rc_object *k = rc_int_new(rt, i);
			assert_int_equal(rc_dict_del(rt, d, k), RC_OK);
			rc_decref(rt, k);
		}
		assert_int_equal(rc_dict_size(d), 500);
		size_t pos = 0, n = 0;
		rc_object *k, *v;
		while (rc_dict_next(d, &pos, &k, &v)) {
			assert_int_equal(rc_int_value(k) % 2, 1);
			assert_int_equal(rc_int_value(v), rc_int_value(k) * 2);
			n++;
		}
		assert_int_equal(n, 500);
	}
	rc_decref(rt, d);
	free_rt(rt, &t);
}

static void test_dict__cycle_through_dict_is_collected(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	rc_object *d = rc_dict_new(rt);
	rc_dict_set_str(rt, d, "self", d);
	assert_true(rc_gc_is_tracked(d));
	rc_decref(rt, d);
	assert_int_equal(rc_gc_collect(rt, 2), 1);
	free_rt(rt, &t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dict__keys_compare_by_value_for_atoms),
		cmocka_unit_test(test_dict__grows_and_survives_many_deletions),
		cmocka_unit_test(test_dict__cycle_through_dict_is_collected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
