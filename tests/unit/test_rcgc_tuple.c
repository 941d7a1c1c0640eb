/* test_rcgc_tuple.c - tuples: packing, access, untracking by collections. */
#include "test_rcgc_util.h"

static void test_tuple__pack_get_set(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_object *a = rc_int_new(rt, 1), *b = rc_str_from(rt, "b");
	rc_object *items[2] = {a, b};
	rc_object *tp = rc_tuple_pack(rt, 2, items);
	assert_int_equal(rc_tuple_size(tp), 2);
	assert_ptr_equal(rc_tuple_get(tp, 0), a);
	assert_ptr_equal(rc_tuple_get(tp, 1), b);
	assert_null(rc_tuple_get(tp, 2));
	assert_int_equal(rc_refcnt(a), 2);
	assert_int_equal(rc_tuple_set(rt, tp, 0, b), RC_OK);
	assert_int_equal(rc_refcnt(a), 1);
	assert_int_equal(rc_tuple_set(rt, tp, 2, b), RC_EINDEX);
	assert_int_equal(rc_tuple_set(rt, a, 0, b), RC_ETYPE);
	rc_object *e = rc_tuple_new(rt, 3);
	assert_null(rc_tuple_get(e, 1)); /* NULL until set */
	rc_decref(rt, e);
	rc_decref(rt, tp);
	rc_decref(rt, a);
	assert_int_equal(rc_refcnt(b), 1);
	rc_decref(rt, b);
	free_rt(rt, &t);
}

static void test_tuple__nested_atom_tuples_untrack_in_one_collection(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	rc_object *one = rc_int_new(rt, 1);
	rc_object *inner = rc_tuple_pack(rt, 1, &one);
	rc_object *outer = rc_tuple_pack(rt, 1, &inner);
	assert_true(rc_gc_is_tracked(inner) && rc_gc_is_tracked(outer));
	rc_gc_collect(rt, 0); /* CPython's untrack_tuples: the inner one first, then the outer */
	assert_false(rc_gc_is_tracked(inner));
	assert_false(rc_gc_is_tracked(outer));
	rc_decref(rt, outer);
	rc_decref(rt, inner);
	rc_decref(rt, one);
	free_rt(rt, &t);
}

static void test_tuple__cycle_through_tuple_is_collected(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	rc_object *l = rc_list_new(rt);
	rc_object *tp = rc_tuple_pack(rt, 1, &l);
	rc_list_append(rt, l, tp);
	rc_decref(rt, tp);
	rc_decref(rt, l);
	assert_int_equal(rc_gc_collect(rt, 2), 2);
	free_rt(rt, &t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tuple__pack_get_set),
		cmocka_unit_test(test_tuple__nested_atom_tuples_untrack_in_one_collection),
		cmocka_unit_test(test_tuple__cycle_through_tuple_is_collected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
