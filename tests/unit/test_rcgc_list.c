/* test_rcgc_list.c - lists: append, get, set, pop, clear, ownership, sizes. */
#include "test_rcgc_util.h"

static void test_list__append_get_set_pop(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_object *l = rc_list_new(rt);
	assert_int_equal(rc_list_size(l), 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(rc_list_append_steal(rt, l, rc_int_new(rt, i)), RC_OK);
	assert_int_equal(rc_list_size(l), 100);
	for (int i = 0; i < 100; i++)
		assert_int_equal(rc_int_value(rc_list_get(l, (size_t)i)), i);
	assert_null(rc_list_get(l, 100));
	rc_object *v = rc_str_from(rt, "x");
	assert_int_equal(rc_list_set(rt, l, 5, v), RC_OK);
	assert_int_equal(rc_refcnt(v), 2);
	assert_ptr_equal(rc_list_get(l, 5), v);
	assert_int_equal(rc_list_set(rt, l, 100, v), RC_EINDEX);
	rc_object *out;
	assert_int_equal(rc_list_pop(rt, l, 5, &out), RC_OK);
	assert_ptr_equal(out, v);
	assert_int_equal(rc_refcnt(v), 2); /* the popped reference is ours now */
	rc_decref(rt, out);
	assert_int_equal(rc_int_value(rc_list_get(l, 5)), 6);
	assert_int_equal(rc_list_pop(rt, l, 0, NULL), RC_OK);
	assert_int_equal(rc_int_value(rc_list_get(l, 0)), 1);
	assert_int_equal(rc_list_size(l), 98);
	assert_int_equal(rc_list_pop(rt, l, 98, NULL), RC_EINDEX);
	assert_int_equal(rc_list_clear(rt, l), RC_OK);
	assert_int_equal(rc_list_size(l), 0);
	assert_int_equal(rc_refcnt(v), 1);
	rc_decref(rt, v);
	rc_decref(rt, l);
	free_rt(rt, &t);
}

static void test_list__wrong_type_and_null_are_errors(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_object *i = rc_int_new(rt, 1), *l = rc_list_new(rt);
	assert_int_equal(rc_list_append(rt, i, i), RC_ETYPE);
	assert_int_equal(rc_list_append(rt, l, NULL), RC_EINVAL);
	assert_int_equal(rc_list_set(rt, l, 0, NULL), RC_EINVAL);
	assert_int_equal(rc_list_clear(rt, i), RC_ETYPE);
	assert_int_equal(rc_list_pop(rt, i, 0, NULL), RC_ETYPE);
	assert_int_equal(rc_list_size(i), 0);
	assert_null(rc_list_get(i, 0));
	rc_object *v = rc_int_new(rt, 2);
	assert_int_equal(rc_list_append_steal(rt, i, v), RC_ETYPE); /* stolen even on error */
	assert_int_equal(rc_refcnt(i), 1);
	rc_decref(rt, i);
	rc_decref(rt, l);
	free_rt(rt, &t);
}

static void test_list__empty_and_one_item_lists_are_48_bytes(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	size_t before = t.live_bytes;
	rc_object *l = rc_list_new(rt);
	assert_int_equal(t.live_bytes - before, 48); /* CPython: 56 */
	rc_list_append(rt, l, rc_none(rt));
	assert_int_equal(t.live_bytes - before, 48); /* inline slot; CPython: 64 + 16 */
	rc_list_append(rt, l, rc_none(rt));
	assert_int_equal(t.live_bytes - before, 48 + 4 * sizeof(rc_object *));
	rc_decref(rt, l);
	free_rt(rt, &t);
}

/* CPython's list free list: up to 80 dead lists' blocks are kept and reused without an
 * allocator call; a full collection gives them back (CPython's clear_freelists). */
static void test_list__free_list_reuses_dead_lists_until_a_full_collection(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	size_t before = t.live_bytes;
	long count0[3], count1[3];
	rc_gc_get_count(rt, count0);
	rc_object *l[100];
	for (int i = 0; i < 100; i++) {
		l[i] = rc_list_new(rt);
		rc_list_append(rt, l[i], rc_none(rt));
		rc_list_append(rt, l[i], rc_none(rt)); /* a buffer: freed at death, not kept */
	}
	for (int i = 0; i < 100; i++)
		rc_decref(rt, l[i]);
	assert_int_equal(t.live_bytes - before, 80 * 48);
	rc_gc_get_count(rt, count1);
	assert_int_equal(count1[0], count0[0]); /* deaths count as deaths */
	long calls = t.calls;
	rc_object *a = rc_list_new(rt);
	assert_int_equal(t.calls, calls); /* reused */
	assert_int_equal(rc_list_size(a), 0);
	assert_int_equal(rc_refcnt(a), 1);
	assert_true(rc_gc_is_tracked(a));
	rc_gc_get_count(rt, count1);
	assert_int_equal(count1[0], count0[0] + 1);
	rc_list_append(rt, a, a); /* behaves as a new list: a cycle, collected */
	rc_decref(rt, a);
	assert_int_equal(rc_gc_collect(rt, 2), 1);
	assert_int_equal(t.live_bytes, before);
	free_rt(rt, &t);
}

/* The system-malloc mode is for tools that follow every object: it keeps no dead list. */
static void test_list__system_malloc_mode_keeps_no_dead_list(void **state)
{
	(void)state;
	rc_runtime_config cfg = {.flags = RC_RUNTIME_SYSTEM_MALLOC};
	rc_runtime *rt = rc_runtime_new(&cfg);
	assert_non_null(rt);
	rc_mem_stats m0, m1;
	rc_mem_get_stats(rt, &m0);
	rc_decref(rt, rc_list_new(rt));
	rc_decref(rt, rc_list_new(rt));
	rc_mem_get_stats(rt, &m1);
	assert_int_equal(m1.live_bytes, m0.live_bytes);
	assert_int_equal(m1.allocs - m0.allocs, 2);
	rc_runtime_free(rt);
}

static void test_list__clear_releases_items_in_order_safely(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	tlog log = {0};
	rc_object *l = rc_list_new(rt);
	for (int i = 0; i < 3; i++)
		rc_list_append_steal(rt, l, node_new(rt, &node_type, i, &log));
	rc_list_clear(rt, l);
	assert_int_equal(log.n, 3);
	rc_decref(rt, l);
	free_rt(rt, &t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list__append_get_set_pop),
		cmocka_unit_test(test_list__wrong_type_and_null_are_errors),
		cmocka_unit_test(test_list__empty_and_one_item_lists_are_48_bytes),
		cmocka_unit_test(test_list__free_list_reuses_dead_lists_until_a_full_collection),
		cmocka_unit_test(test_list__system_malloc_mode_keeps_no_dead_list),
		cmocka_unit_test(test_list__clear_releases_items_in_order_safely),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
