/* test_rcgc_object.c - objects: refcounting, deallocation order, finalizers, deep chains. */
#include "test_rcgc_util.h"

static void test_object__decref_to_zero_frees_at_once(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	tlog log = {0};
	rc_gc_disable(rt);
	long before = t.live_blocks;
	rc_object *n = node_new(rt, &node_type, 1, &log);
	assert_int_equal(t.live_blocks, before + 1);
	rc_incref(n);
	rc_decref(rt, n);
	assert_int_equal(log.n, 0);
	rc_decref(rt, n);
	assert_true(tlog_has(&log, "free 1"));
	assert_int_equal(t.live_blocks, before);
	free_rt(rt, &t);
}

static void test_object__children_freed_with_parent(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	tlog log = {0};
	rc_object *p = node_new(rt, &node_type, 1, &log);
	rc_object *c = node_new(rt, &node_type, 2, &log);
	node_set_a(rt, p, c);
	rc_decref(rt, c);
	assert_int_equal(rc_refcnt(c), 1);
	rc_decref(rt, p);
	assert_true(tlog_index(&log, "free 1") < tlog_index(&log, "free 2"));
	assert_int_equal(log.n, 2);
	free_rt(rt, &t);
}

static void test_object__million_deep_chain_frees_without_recursion(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	rc_object *outer = rc_list_new(rt);
	assert_non_null(outer);
	for (int i = 0; i < 1000000; i++) {
		rc_object *l = rc_list_new(rt);
		assert_non_null(l);
		assert_int_equal(rc_list_append_steal(rt, l, outer), RC_OK);
		outer = l;
	}
	rc_decref(rt, outer); /* would overflow the stack if freeing recursed per link */
	rc_mem_stats ms;
	rc_mem_get_stats(rt, &ms);
	free_rt(rt, &t);
}

static void test_object__finalizer_runs_once_at_refcount_death(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	tlog log = {0};
	rc_object *n = node_new(rt, &fnode_type, 7, &log);
	rc_decref(rt, n);
	assert_string_equal(log.ev[0], "fin 7");
	assert_string_equal(log.ev[1], "free 7");
	assert_int_equal(log.n, 2);
	free_rt(rt, &t);
}

static void test_object__resurrection_at_refcount_death(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	tlog log = {0};
	rc_object *n = node_new(rt, &fnode_type, 3, &log);
	((node *)n)->resurrect = 1;
	rc_decref(rt, n);
	assert_ptr_equal(log.keep, n);
	assert_int_equal(log.n, 1); /* finalized, not freed */
	assert_true(rc_gc_is_finalized(n));
	assert_true(rc_gc_is_tracked(n)); /* tracked again after resurrection */
	log.keep = NULL;
	rc_decref(rt, n); /* second death: no finalizer */
	assert_int_equal(log.n, 2);
	assert_string_equal(log.ev[1], "free 3");
	free_rt(rt, &t);
}

static void test_object__legacy_del_called_at_refcount_death(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	tlog log = {0};
	rc_object *n = node_new(rt, &lnode_type, 4, &log);
	rc_decref(rt, n);
	assert_string_equal(log.ev[0], "del 4");
	assert_string_equal(log.ev[1], "free 4");
	free_rt(rt, &t);
}

static void test_object__setref_replaces_and_releases(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	tlog log = {0};
	rc_object *p = node_new(rt, &node_type, 1, &log);
	rc_object *c = node_new(rt, &node_type, 2, &log);
	node_set_a(rt, p, c);
	rc_decref(rt, c);
	node_set_a(rt, p, NULL);
	assert_true(tlog_has(&log, "free 2"));
	rc_decref(rt, p);
	free_rt(rt, &t);
}

static void test_object__invalid_types_are_refused(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_type tiny = {.name = "tiny", .size = 4};
	assert_null(rc_new(rt, &tiny, 0));
	rc_type gc_no_traverse = {.name = "x", .size = sizeof(rc_object), .flags = RC_TYPE_GC};
	assert_null(rc_new(rt, &gc_no_traverse, 0));
	assert_null(rc_new(rt, NULL, 0));
	assert_int_equal(rc_gc_track(rt, rc_none(rt)), RC_ETYPE);
	free_rt(rt, &t);
}

static void test_object__none_survives_extra_decref(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_object *none = rc_none(rt);
	rc_decref(rt, none); /* a bug in the program, not a crash */
	assert_int_equal(rc_refcnt(none), 1);
	assert_false(rc_gc_is_tracked(none));
	free_rt(rt, &t);
}

static void test_object__track_untrack(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_object *l = rc_list_new(rt);
	assert_true(rc_gc_is_tracked(l));
	assert_int_equal(rc_gc_untrack(rt, l), RC_OK);
	assert_false(rc_gc_is_tracked(l));
	assert_int_equal(rc_gc_untrack(rt, l), RC_OK); /* idempotent */
	assert_int_equal(rc_gc_track(rt, l), RC_OK);
	assert_true(rc_gc_is_tracked(l));
	rc_object *i = rc_int_new(rt, 1);
	assert_int_equal(rc_gc_track(rt, i), RC_ETYPE);
	assert_false(rc_gc_is_tracked(i));
	rc_decref(rt, i);
	rc_decref(rt, l);
	free_rt(rt, &t);
}

static void test_object__strerror_covers_every_code(void **state)
{
	(void)state;
	for (int e = RC_OK; e >= RC_ENOENT; e--)
		assert_string_not_equal(rc_strerror(e), "unknown error");
	assert_string_equal(rc_strerror(-1000), "unknown error");
	assert_string_equal(rc_strerror(RC_EGEN), "invalid generation");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_object__decref_to_zero_frees_at_once),
		cmocka_unit_test(test_object__children_freed_with_parent),
		cmocka_unit_test(test_object__million_deep_chain_frees_without_recursion),
		cmocka_unit_test(test_object__finalizer_runs_once_at_refcount_death),
		cmocka_unit_test(test_object__resurrection_at_refcount_death),
		cmocka_unit_test(test_object__legacy_del_called_at_refcount_death),
		cmocka_unit_test(test_object__setref_replaces_and_releases),
		cmocka_unit_test(test_object__invalid_types_are_refused),
		cmocka_unit_test(test_object__none_survives_extra_decref),
		cmocka_unit_test(test_object__track_untrack),
		cmocka_unit_test(test_object__strerror_covers_every_code),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
