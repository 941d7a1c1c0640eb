/* test_rcgc_oom.c - out-of-memory injection over every allocation site.
 *
 * One scenario touches every place the runtime allocates (runtime, objects of each type,
 * list growth, dict tables, the weakref table, callbacks, arrays, the API's result lists, the
 * garbage list under SAVEALL). It runs with an allocator that fails at the Nth call, for
 * N = 1, 2, ... until a run meets no failure; also with every call from the Nth on failing.
 * Each run must handle every failure (NULL or RC_ENOMEM), keep working, and leak nothing.
 */
#include "test_rcgc_util.h"

static int cb_calls;

static void on_gc(rc_runtime *rt, rc_gc_phase phase, const rc_gc_info *info, void *ud)
{
	(void)rt;
	(void)phase;
	(void)info;
	(void)ud;
	cb_calls++;
}

static void on_weak(rc_runtime *rt, rc_object *wr, rc_object *data)
{
	(void)rt;
	(void)wr;
	(void)data;
}

/* Appends (stealing) and tolerates failure; returns 1 if stored. */
static int keep(rc_runtime *rt, rc_object *l, rc_object *o)
{
	if (!o)
		return 0;
	return rc_list_append_steal(rt, l, o) == RC_OK;
}

static void scenario(rc_runtime *rt)
{
	rc_gc_callback_add(rt, on_gc, NULL); /* may fail: then it is simply not called */
	rc_object *root = rc_list_new(rt);
	if (!root)
		return;
	for (int i = 0; i < 40; i++) {
		rc_object *o;
		switch (i % 8) {
		case 0: o = rc_int_new(rt, i); break;
		case 1: o = rc_float_new(rt, i * 0.5); break;
		case 2: o = rc_str_from(rt, "some text"); break;
		case 3: o = rc_tuple_pack(rt, 1, &root); break;
		case 4: o = rc_list_new(rt); break;
		case 5: o = rc_array_random_int(rt, 100, 0, 9, (uint64_t)i); break;
		case 6: o = rc_weakref_new(rt, root, on_weak, NULL); break;
		default: o = rc_dict_new(rt); break;
		}
		keep(rt, root, o);
	}
	rc_object *d = rc_dict_new(rt);
	if (d) {
		for (int i = 0; i < 30; i++) {
			char k[16];
			snprintf(k, sizeof k, "k%d", i);
			rc_object *v = rc_int_new(rt, i);
			if (v) {
				int err = rc_dict_set_str(rt, d, k, v);
				assert_true(err == RC_OK || err == RC_ENOMEM);
				if (err == RC_OK)
					assert_ptr_equal(rc_dict_get_str(d, k), v);
				rc_decref(rt, v);
			}
		}
		rc_dict_set(rt, d, root, root); /* a cycle through the dict, maybe */
		keep(rt, root, d);
	}
	/* cycles, some with weakrefs to them, collected with SAVEALL then without */
	for (int i = 0; i < 10; i++) {
		rc_object *c = rc_list_new(rt);
		if (!c)
			continue;
		rc_list_append(rt, c, c);
		rc_object *w = rc_weakref_new(rt, c, on_weak, NULL);
		keep(rt, root, w);
		rc_decref(rt, c);
	}
	rc_gc_set_debug(rt, RC_GC_DEBUG_SAVEALL);
	long n = rc_gc_collect(rt, 0);
	assert_true(n >= 0);
	rc_gc_set_debug(rt, 0);
	rc_object *g = rc_gc_garbage(rt);
	if (g)
		rc_list_clear(rt, g);
	rc_object *out;
	if (rc_gc_get_objects(rt, -1, &out) == RC_OK)
		rc_decref(rt, out);
	if (rc_gc_get_referrers(rt, &root, 1, &out) == RC_OK)
		rc_decref(rt, out);
	if (rc_gc_get_referents(rt, &root, 1, &out) == RC_OK)
		rc_decref(rt, out);
	rc_decref(rt, root);
	assert_true(rc_gc_collect(rt, 2) >= 0);
}

static void run_all(int fail_after)
{
	long clean_runs = 0;
	for (long n = 1; n < 100000; n++) {
		talloc t;
		memset(&t, 0, sizeof t);
		t.fail_at = n;
		t.fail_after = fail_after;
		rc_runtime_config cfg = {.alloc = talloc_fn, .alloc_ud = &t};
		rc_runtime *rt = rc_runtime_new(&cfg);
		if (rt) {
			scenario(rt);
			rc_runtime_free(rt);
		}
		assert_int_equal(t.live_blocks, 0);
		assert_int_equal(t.live_bytes, 0);
		if (t.failures == 0) {
			clean_runs++;
			print_message("%ld allocation calls, each made to fail in turn\n", t.calls);
			/* the scenario does reach the allocation sites (a few lists come from the
			 * list free list, no allocator call) */
			assert_true(t.calls > 140);
			assert_int_equal(n, t.calls + 1);
			break;
		}
	}
	assert_int_equal(clean_runs, 1); /* reached the end: every site was made to fail */
}

static void test_oom__every_allocation_failing_once(void **state)
{
	(void)state;
	run_all(0);
}

static void test_oom__every_allocation_from_n_on_failing(void **state)
{
	(void)state;
	run_all(1);
}

static void test_oom__constructor_failure_changes_nothing(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_object *l = rc_list_new(rt);
	rc_object *v = rc_int_new(rt, 1);
	rc_list_append(rt, l, v);
	assert_int_equal(rc_refcnt(v), 2);
	t.fail_at = t.calls + 1;
	t.fail_after = 1;
	long blocks = t.live_blocks;
	assert_null(rc_list_new(rt));
	assert_null(rc_int_new(rt, 2));
	assert_null(rc_weakref_new(rt, l, NULL, NULL));
	assert_null(rc_array_new(rt, RC_INT64, 10));
	assert_int_equal(t.live_blocks, blocks);
	for (int i = 0; i < 10; i++) { /* growth fails: the list and v are as before */
		int err = rc_list_append(rt, l, v);
		if (err) {
			assert_int_equal(err, RC_ENOMEM);
			break;
		}
	}
	assert_int_equal(rc_refcnt(v), 1 + (int)rc_list_size(l));
	assert_int_equal(rc_weakref_count(rt, l), 0);
	t.fail_at = 0;
	rc_decref(rt, v);
	rc_decref(rt, l);
	free_rt(rt, &t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oom__every_allocation_failing_once),
		cmocka_unit_test(test_oom__every_allocation_from_n_on_failing),
		cmocka_unit_test(test_oom__constructor_failure_changes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
