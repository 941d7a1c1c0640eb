/* test_rcgc_weakref.c - weak references at refcount death (collections: test_rcgc_gc.c). */
#include "test_rcgc_util.h"

typedef struct {
	int order[8];
	int n;
	int target_seen;
} cblog;

static void cb_record(rc_runtime *rt, rc_object *wr, rc_object *data)
{
	(void)rt;
	cblog *l = (cblog *)(uintptr_t)rc_int_value(rc_tuple_get(data, 0));
	l->order[l->n++] = (int)rc_int_value(rc_tuple_get(data, 1));
	l->target_seen |= rc_weakref_get(wr) != NULL;
}

static rc_object *cbdata(rc_runtime *rt, cblog *l, int tag)
{
	rc_object *items[2] = {rc_int_new(rt, (int64_t)(uintptr_t)l), rc_int_new(rt, tag)};
	rc_object *tp = rc_tuple_pack(rt, 2, items);
	rc_decref(rt, items[0]);
	rc_decref(rt, items[1]);
	return tp;
}

static void test_weakref__cleared_and_called_back_at_death(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	cblog log = {0};
	rc_object *target = rc_list_new(rt);
	rc_object *d1 = cbdata(rt, &log, 1), *d2 = cbdata(rt, &log, 2);
	rc_object *w1 = rc_weakref_new(rt, target, cb_record, d1);
	rc_object *w2 = rc_weakref_new(rt, target, cb_record, d2);
	rc_object *w3 = rc_weakref_new(rt, target, NULL, NULL);
	rc_decref(rt, d1);
	rc_decref(rt, d2);
	assert_ptr_equal(rc_weakref_get(w1), target);
	assert_int_equal(rc_refcnt(target), 1); /* weakrefs do not keep it alive */
	assert_int_equal(rc_weakref_count(rt, target), 3);
	rc_decref(rt, target);
	assert_null(rc_weakref_get(w1));
	assert_null(rc_weakref_get(w2));
	assert_null(rc_weakref_get(w3));
	assert_int_equal(log.n, 2);
	assert_int_equal(log.order[0], 2); /* newest first */
	assert_int_equal(log.order[1], 1);
	assert_false(log.target_seen);
	rc_decref(rt, w1);
	rc_decref(rt, w2);
	rc_decref(rt, w3);
	free_rt(rt, &t);
}

static void test_weakref__dead_weakref_gets_no_callback(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	cblog log = {0};
	rc_object *target = rc_int_new(rt, 5); /* atoms may be weakly referenced */
	rc_object *d = cbdata(rt, &log, 1);
	rc_object *w = rc_weakref_new(rt, target, cb_record, d);
	rc_decref(rt, d);
	rc_decref(rt, w);
	assert_int_equal(rc_weakref_count(rt, target), 0);
	rc_decref(rt, target);
	assert_int_equal(log.n, 0);
	assert_null(rc_weakref_new(rt, rc_none(rt), NULL, NULL));
	assert_null(rc_weakref_new(rt, NULL, NULL, NULL));
	free_rt(rt, &t);
}

static void test_weakref__many_targets_in_any_order(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	enum { N = 2000 };
	rc_object **tg = calloc(N, sizeof *tg), **wr = calloc(N, sizeof *wr);
	for (int i = 0; i < N; i++) {
		tg[i] = rc_int_new(rt, i);
		wr[i] = rc_weakref_new(rt, tg[i], NULL, NULL);
		assert_non_null(wr[i]);
	}
	uint64_t s = 88172645463325252ULL;
	for (int k = 0; k < N; k++) { /* kill targets in a pseudo-random order */
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		int i = (int)(s % N);
		while (!tg[i])
			i = (i + 1) % N;
		rc_decref(rt, tg[i]);
		tg[i] = NULL;
		assert_null(rc_weakref_get(wr[i]));
		if (k % 97 == 0)
			for (int j = 0; j < N; j++)
				assert_ptr_equal(rc_weakref_get(wr[j]), tg[j]);
	}
	for (int i = 0; i < N; i++)
		rc_decref(rt, wr[i]);
	free(tg);
	free(wr);
	free_rt(rt, &t);
}

static void cb_drop_other(rc_runtime *rt, rc_object *wr, rc_object *data)
{
	(void)wr;
	/* data is a list holding the other weakref: freeing it from here must be safe */
	rc_list_clear(rt, data);
}

static void test_weakref__callback_may_free_other_weakrefs(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_object *target = rc_list_new(rt);
	rc_object *holder = rc_list_new(rt);
	rc_object *w_old = rc_weakref_new(rt, target, cb_drop_other, holder);
	rc_object *w_new = rc_weakref_new(rt, target, cb_drop_other, holder);
	rc_list_append_steal(rt, holder, w_old); /* only holder keeps w_old */
	rc_decref(rt, holder);
	rc_decref(rt, target); /* w_new's callback frees w_old, whose callback is queued */
	assert_null(rc_weakref_get(w_new));
	rc_decref(rt, w_new);
	free_rt(rt, &t);
}

static int dying_cb_calls;

static void cb_count(rc_runtime *rt, rc_object *wr, rc_object *data)
{
	(void)rt;
	(void)wr;
	(void)data;
	dying_cb_calls++;
}

static void test_weakref__dying_weakref_gets_no_callback_when_target_dies_after(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	for (int kind = 0; kind < 2; kind++) {
		/* holder = [target, w]: freeing holder drops w first (queued, refcount 0), then the
		 * target, whose death must not call back or revive the dying w */
		rc_object *target = kind ? rc_list_new(rt) : rc_int_new(rt, 1);
		rc_object *w = rc_weakref_new(rt, target, cb_count, NULL);
		rc_object *holder = rc_list_new(rt);
		rc_list_append_steal(rt, holder, target);
		rc_list_append_steal(rt, holder, w);
		dying_cb_calls = 0;
		rc_decref(rt, holder);
		assert_int_equal(dying_cb_calls, 0);
	}
	free_rt(rt, &t); /* a weakref freed twice would show here (and under ASan) */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weakref__cleared_and_called_back_at_death),
		cmocka_unit_test(test_weakref__dead_weakref_gets_no_callback),
		cmocka_unit_test(test_weakref__many_targets_in_any_order),
		cmocka_unit_test(test_weakref__callback_may_free_other_weakrefs),
		cmocka_unit_test(test_weakref__dying_weakref_gets_no_callback_when_target_dies_after),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
