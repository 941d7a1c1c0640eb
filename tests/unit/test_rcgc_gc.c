/* test_rcgc_gc.c - the collector and the gc API, one test per semantic point of
 * ../shared/reference/cpython-gc.md section 5 that applies to a C runtime (numbered pN). */
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_rcgc_util.h"

static rc_object *self_cycle(rc_runtime *rt)
{
	rc_object *l = rc_list_new(rt);
	assert_non_null(l);
	assert_int_equal(rc_list_append(rt, l, l), RC_OK);
	return l;
}

/* a <-> b, both of `type`; returns a new reference to a (b only through a). */
static rc_object *pair(rc_runtime *rt, const rc_type *type, int ida, int idb, tlog *log)
{
	rc_object *a = node_new(rt, type, ida, log), *b = node_new(rt, type, idb, log);
	node_set_a(rt, a, b);
	node_set_a(rt, b, a);
	rc_decref(rt, b);
	return a;
}

static int count_ev(const tlog *l, const char *prefix)
{
	int n = 0;
	for (int i = 0; i < l->n; i++)
		n += strncmp(l->ev[i], prefix, strlen(prefix)) == 0;
	return n;
}

static int list_contains(const rc_object *l, const rc_object *o)
{
	for (size_t i = 0; i < rc_list_size(l); i++)
		if (rc_list_get(l, i) == o)
			return 1;
	return 0;
}

static void test_gc__p1_collect_returns_unreachable_count(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	assert_int_equal(rc_gc_collect(rt, 2), 0);
	rc_object *l = self_cycle(rt);
	rc_decref(rt, l);
	assert_int_equal(rc_gc_collect(rt, 2), 1);
	rc_decref(rt, pair(rt, &node_type, 1, 2, NULL));
	assert_int_equal(rc_gc_collect(rt, 2), 2);
	assert_int_equal(rc_gc_collect(rt, 2), 0);
	free_rt(rt, &t);
}

static void test_gc__collect_frees_self_cycle_memory(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	long base = t.live_blocks;
	rc_object *l = self_cycle(rt);
	rc_decref(rt, l);
	assert_true(t.live_blocks > base); /* refcounting alone cannot free it */
	assert_int_equal(rc_gc_collect(rt, 0), 1);
	assert_int_equal(t.live_blocks, base);
	free_rt(rt, &t);
}

static void test_gc__p2_disable_stops_only_automatic_collection(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	tlog log = {0};
	assert_int_equal(rc_gc_disable(rt), 1);
	assert_false(rc_gc_isenabled(rt));
	rc_decref(rt, node_new(rt, &fnode_type, 1, &log)); /* acyclic: finalized at once */
	assert_true(tlog_has(&log, "fin 1"));
	rc_decref(rt, pair(rt, &fnode_type, 2, 3, &log));
	for (int i = 0; i < 10000; i++)
		rc_decref(rt, rc_list_new(rt));
	assert_false(tlog_has(&log, "fin 2"));
	assert_int_equal(rc_gc_collect(rt, 2), 2); /* manual collection still works */
	assert_true(tlog_has(&log, "fin 2") && tlog_has(&log, "free 3"));
	assert_int_equal(rc_gc_enable(rt), 0);
	assert_true(rc_gc_isenabled(rt));
	free_rt(rt, &t);
}

static void test_gc__p3_threshold_zero_disables_automatic_collection(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	long th[1] = {0};
	assert_int_equal(rc_gc_set_threshold(rt, 1, th), RC_OK);
	assert_true(rc_gc_isenabled(rt));
	rc_gc_stats before[3], after[3];
	rc_gc_get_stats(rt, before);
	for (int i = 0; i < 200000; i++)
		rc_decref(rt, rc_list_new(rt));
	rc_gc_get_stats(rt, after);
	for (int g = 0; g < 3; g++)
		assert_int_equal(after[g].collections, before[g].collections);
	free_rt(rt, &t);
}

static void test_gc__p4_self_resurrection(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	tlog log = {0};
	rc_gc_disable(rt);
	rc_object *r = node_new(rt, &fnode_type, 1, &log);
	((node *)r)->resurrect = 1;
	node_set_a(rt, r, r);
	rc_decref(rt, r);
	assert_int_equal(rc_gc_collect(rt, 2), 0);
	assert_ptr_equal(log.keep, r);
	assert_true(rc_gc_is_finalized(r));
	assert_int_equal(count_ev(&log, "fin"), 1);
	assert_int_equal(count_ev(&log, "free"), 0);
	rc_object *k = log.keep;
	log.keep = NULL;
	((node *)r)->resurrect = 0;
	rc_decref(rt, k);
	assert_int_equal(rc_gc_collect(rt, 2), 1);
	assert_int_equal(count_ev(&log, "fin"), 1); /* never finalized twice */
	assert_int_equal(count_ev(&log, "free"), 1);
	free_rt(rt, &t);
}

static void test_gc__p5_partner_resurrection(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	tlog log = {0};
	rc_gc_disable(rt);
	rc_object *a = pair(rt, &fnode_type, 1, 2, &log);
	((node *)a)->resurrect = 1;
	rc_decref(rt, a);
	assert_int_equal(rc_gc_collect(rt, 2), 0);
	assert_true(tlog_has(&log, "fin 1") && tlog_has(&log, "fin 2"));
	assert_int_equal(count_ev(&log, "free"), 0); /* b survives: a reaches it */
	rc_object *k = log.keep;
	log.keep = NULL;
	rc_decref(rt, k);
	assert_int_equal(rc_gc_collect(rt, 2), 2);
	assert_int_equal(count_ev(&log, "fin"), 2);
	assert_int_equal(count_ev(&log, "free"), 2);
	free_rt(rt, &t);
}

/* ---- weakrefs in collections (p6, p7) ---- */

typedef struct {
	tlog *log;
	int target_was_null;
} cbinfo;

static void wr_cb_log(rc_runtime *rt, rc_object *wr, rc_object *data)
{
	(void)rt;
	(void)data;
	/* the data object is a node whose log we write to */
	node *n = (node *)data;
	tlog_add(n->log, "cb %d %s", n->id, rc_weakref_get(wr) ? "live" : "cleared");
}

static void test_gc__p6_weakref_callback_sees_cleared_ref(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	tlog log = {0};
	rc_gc_disable(rt);
	rc_object *tag = node_new(rt, &node_type, 9, &log);
	rc_object *a = pair(rt, &fnode_type, 1, 2, &log);
	rc_object *wr = rc_weakref_new(rt, a, wr_cb_log, tag);
	assert_non_null(wr);
	rc_decref(rt, tag);
	rc_decref(rt, a);
	assert_int_equal(rc_gc_collect(rt, 2), 2);
	assert_true(tlog_has(&log, "cb 9 cleared"));
	/* callbacks run before any finalizer of the same collection */
	assert_true(tlog_index(&log, "cb 9 cleared") < tlog_index(&log, "fin 1"));
	assert_true(tlog_index(&log, "cb 9 cleared") < tlog_index(&log, "fin 2"));
	assert_null(rc_weakref_get(wr));
	rc_decref(rt, wr);
	free_rt(rt, &t);
}

static void test_gc__p6_weakref_in_garbage_gets_no_callback(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	tlog log = {0};
	rc_gc_disable(rt);
	rc_object *tag = node_new(rt, &node_type, 9, &log);
	rc_object *a = node_new(rt, &node_type, 1, &log);
	rc_object *wr = rc_weakref_new(rt, a, wr_cb_log, tag);
	node_set_a(rt, a, wr); /* the cycle holds a weakref to itself */
	node_set_b(rt, a, a);
	rc_decref(rt, wr);
	rc_decref(rt, tag);
	rc_decref(rt, a);
	assert_int_equal(rc_gc_collect(rt, 2), 3); /* a, the weakref, its callback data */
	assert_false(tlog_has(&log, "cb 9 cleared"));
	assert_true(tlog_has(&log, "free 1") && tlog_has(&log, "free 9"));
	free_rt(rt, &t);
}

static void peer_wr_finalize(rc_runtime *rt, rc_object *self)
{
	(void)rt;
	node *n = (node *)self;
	/* b holds a weakref (no callback) to another member of the garbage */
	tlog_add(n->log, "fin %d peer %s", n->id, rc_weakref_get(n->b) ? "live" : "none");
}

static const rc_type peer_type = {
	.name = "peer", .size = sizeof(node), .flags = RC_TYPE_GC, .traverse = node_traverse,
	.clear = node_clear, .finalize = peer_wr_finalize, .dealloc = node_dealloc,
};

static void test_gc__p7_weakref_to_garbage_is_none_inside_finalizer(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	tlog log = {0};
	rc_gc_disable(rt);
	rc_object *a = pair(rt, &peer_type, 1, 2, &log);
	rc_object *b = ((node *)a)->a;
	rc_object *wr = rc_weakref_new(rt, b, NULL, NULL);
	node_set_b(rt, a, wr); /* a's weakref to b is part of a: garbage too */
	rc_decref(rt, wr);
	rc_decref(rt, a);
	assert_int_equal(rc_gc_collect(rt, 2), 3);
	assert_true(tlog_has(&log, "fin 1 peer none")); /* CPython 3.11-3.13.0 behaviour */
	free_rt(rt, &t);
}

/* ---- p8: DEBUG_SAVEALL ---- */

static void test_gc__p8_saveall_keeps_garbage_in_list(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	tlog log = {0};
	rc_gc_disable(rt);
	rc_gc_set_debug(rt, RC_GC_DEBUG_SAVEALL);
	rc_object *a = pair(rt, &fnode_type, 1, 2, &log);
	rc_object *wr = rc_weakref_new(rt, a, NULL, NULL);
	rc_decref(rt, a);
	assert_int_equal(rc_gc_collect(rt, 2), 2);
	rc_object *garbage = rc_gc_garbage(rt);
	assert_int_equal(rc_list_size(garbage), 2);
	assert_true(list_contains(garbage, a));
	assert_int_equal(count_ev(&log, "fin"), 2); /* finalizers still run */
	assert_null(rc_weakref_get(wr));           /* weakrefs still cleared */
	assert_int_equal(count_ev(&log, "free"), 0);
	rc_gc_set_debug(rt, 0);
	rc_list_clear(rt, garbage);
	assert_int_equal(rc_gc_collect(rt, 2), 2);
	assert_int_equal(count_ev(&log, "fin"), 2);
	assert_int_equal(count_ev(&log, "free"), 2);
	rc_decref(rt, wr);
	free_rt(rt, &t);
}

/* ---- p9: legacy finalizers ---- */

static void test_gc__p9_legacy_finalizer_cycle_is_uncollectable(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	tlog log = {0};
	rc_gc_disable(rt);
	rc_object *leg = node_new(rt, &lnode_type, 1, &log);
	rc_object *l = rc_list_new(rt);
	rc_list_append(rt, l, leg);
	node_set_a(rt, leg, l);
	rc_decref(rt, l);
	rc_decref(rt, leg);
	rc_gc_stats st[3];
	assert_int_equal(rc_gc_collect(rt, 2), 2);
	rc_object *garbage = rc_gc_garbage(rt);
	assert_int_equal(rc_list_size(garbage), 1);
	assert_ptr_equal(rc_list_get(garbage, 0), leg);
	rc_gc_get_stats(rt, st);
	assert_int_equal(st[2].uncollectable, 2);
	assert_int_equal(st[2].collected, 0);
	assert_int_equal(rc_list_size(l), 1); /* the list survives, intact */
	assert_int_equal(log.n, 0);            /* legacy_del is not called by the collector */
	/* the program breaks the cycle itself */
	node_set_a(rt, leg, NULL);
	rc_list_clear(rt, garbage);
	assert_true(tlog_has(&log, "del 1") && tlog_has(&log, "free 1"));
	free_rt(rt, &t);
}

static void test_gc__p9_saveall_lists_everything_a_legacy_finalizer_keeps(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	rc_object *leg = node_new(rt, &lnode_type, 1, NULL);
	rc_object *l = rc_list_new(rt);
	rc_list_append(rt, l, leg);
	node_set_a(rt, leg, l);
	rc_decref(rt, l);
	rc_decref(rt, leg);
	rc_gc_set_debug(rt, RC_GC_DEBUG_SAVEALL);
	assert_int_equal(rc_gc_collect(rt, 2), 2);
	rc_object *garbage = rc_gc_garbage(rt);
	assert_int_equal(rc_list_size(garbage), 2); /* the list too, not only the legacy object */
	assert_true(list_contains(garbage, leg) && list_contains(garbage, l));
	rc_gc_set_debug(rt, 0);
	node_set_a(rt, leg, NULL);
	rc_list_clear(rt, garbage);
	free_rt(rt, &t);
}

/* Garbage made of lists, tuples and dicts is freed without clear(): what it held outside
 * itself (atoms, older objects, survivors) must be released exactly once all the same. */
static void test_gc__plain_garbage_releases_what_it_holds_outside(void **state)
{
	(void)state;
	for (int gen = 0; gen <= 2; gen += 2) {
		talloc t;
		rc_runtime *rt = new_rt(&t);
		rc_gc_disable(rt);
		rc_object *ext = rc_list_new(rt), *i = rc_int_new(rt, 42);
		if (gen == 0)
			rc_gc_collect(rt, 0); /* ext is now older than the set collect(0) examines */
		long base = t.live_blocks;
		rc_object *a = rc_list_new(rt), *b = rc_list_new(rt);
		rc_list_append(rt, a, b);
		rc_list_append(rt, b, a);
		rc_object *c = rc_list_new(rt); /* one-item lists keep the item inline */
		rc_list_append(rt, c, i);
		rc_object *e = rc_list_new(rt);
		rc_list_append(rt, e, ext);
		rc_object *d = rc_tuple_pack(rt, 1, &ext);
		rc_object *f = rc_dict_new(rt);
		rc_dict_set(rt, f, i, ext);
		rc_object *g = rc_tuple_pack(rt, 1, &i);
		rc_list_append_steal(rt, a, c);
		rc_list_append_steal(rt, a, e);
		rc_list_append_steal(rt, b, d);
		rc_list_append_steal(rt, b, f);
		rc_list_append_steal(rt, b, g);
		rc_decref(rt, a);
		rc_decref(rt, b);
		assert_int_equal(rc_refcnt(i), 4);
		assert_int_equal(rc_refcnt(ext), 4);
		assert_int_equal(rc_gc_collect(rt, gen), 7);
		assert_int_equal(rc_refcnt(i), 1);
		assert_int_equal(rc_refcnt(ext), 1);
		assert_int_equal(t.live_blocks, base);
		rc_decref(rt, ext);
		rc_decref(rt, i);
		free_rt(rt, &t);
	}
}

/* ---- p10: get_count ---- */

static void test_gc__p10_get_count(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	long c[3];
	rc_gc_collect(rt, 2);
	rc_gc_get_count(rt, c);
	assert_true(c[0] == 0 && c[1] == 0 && c[2] == 0);
	rc_object *keep = rc_list_new(rt);
	for (int i = 0; i < 100; i++)
		rc_list_append_steal(rt, keep, rc_list_new(rt));
	rc_gc_get_count(rt, c);
	assert_int_equal(c[0], 101);
	rc_decref(rt, rc_int_new(rt, 5)); /* atoms are not counted */
	for (int i = 0; i < 10; i++)
		rc_decref(rt, rc_list_new(rt)); /* allocated and freed: net zero */
	rc_gc_get_count(rt, c);
	assert_int_equal(c[0], 101);
	rc_gc_collect(rt, 0);
	rc_gc_get_count(rt, c);
	assert_true(c[0] == 0 && c[1] == 1 && c[2] == 0);
	rc_gc_collect(rt, 1);
	rc_gc_get_count(rt, c);
	assert_true(c[0] == 0 && c[1] == 0 && c[2] == 1);
	rc_gc_collect(rt, 2);
	rc_gc_get_count(rt, c);
	assert_true(c[0] == 0 && c[1] == 0 && c[2] == 0);
	rc_decref(rt, keep);
	free_rt(rt, &t);
}

/* ---- p11 / p25: when automatic collections run ---- */

static void test_gc__p25_default_thresholds_are_cpython_313(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	long th[3];
	rc_gc_get_threshold(rt, th);
	assert_true(th[0] == 2000 && th[1] == 10 && th[2] == 10);
	long set[3] = {700, 5, 3};
	assert_int_equal(rc_gc_set_threshold(rt, 3, set), RC_OK);
	rc_gc_get_threshold(rt, th);
	assert_true(th[0] == 700 && th[1] == 5 && th[2] == 3);
	assert_int_equal(rc_gc_set_threshold(rt, 1, set + 2), RC_OK);
	rc_gc_get_threshold(rt, th);
	assert_true(th[0] == 3 && th[1] == 5 && th[2] == 3);
	free_rt(rt, &t);
}

static void test_gc__p11_small_threshold_collects_inside_allocation(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	long th[3] = {10, 1000, 1000};
	rc_gc_set_threshold(rt, 3, th);
	rc_gc_stats before[3], after[3];
	rc_gc_get_stats(rt, before);
	rc_object *keep = rc_list_new(rt); /* count0 = 1 */
	for (int i = 0; i < 1000; i++)
		rc_list_append_steal(rt, keep, rc_tuple_pack(rt, 1, &keep));
	rc_gc_get_stats(rt, after);
#ifdef RCGC_STRESS
	assert_int_equal(after[0].collections - before[0].collections, 1001);
#else
	/* count0 > 10 collects: every 11th allocation, as CPython 3.11 inside C allocations */
	assert_int_equal(after[0].collections - before[0].collections, 1001 / 11);
#endif
	rc_list_clear(rt, keep);
	rc_decref(rt, keep);
	free_rt(rt, &t);
}

static void test_gc__automatic_collection_frees_cycles(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	long th[1] = {100};
	rc_gc_set_threshold(rt, 1, th);
	for (int i = 0; i < 20000; i++)
		rc_decref(rt, self_cycle(rt));
	assert_true(t.live_blocks < 2000); /* 20000 cycles, most of them collected */
	rc_gc_stats st[3];
	rc_gc_get_stats(rt, st);
	assert_true(st[0].collected + st[1].collected + st[2].collected >= 18000);
	free_rt(rt, &t);
}

static void test_gc__deferred_collection_waits_for_safepoint(void **state)
{
	(void)state;
	talloc t;
	memset(&t, 0, sizeof t);
	rc_runtime_config cfg = {.alloc = talloc_fn, .alloc_ud = &t, .flags = RC_RUNTIME_DEFERRED_GC};
	rc_runtime *rt = rc_runtime_new(&cfg);
	assert_non_null(rt);
	long th[1] = {10};
	rc_gc_set_threshold(rt, 1, th);
	for (int i = 0; i < 1000; i++)
		rc_decref(rt, self_cycle(rt));
	rc_gc_stats st[3];
	rc_gc_get_stats(rt, st);
	assert_int_equal(st[0].collections + st[1].collections + st[2].collections, 0);
	assert_int_equal(rc_gc_safepoint(rt), 1000);
	assert_int_equal(rc_gc_safepoint(rt), 0); /* nothing due any more */
	rc_gc_get_stats(rt, st);
	assert_int_equal(st[0].collections + st[1].collections + st[2].collections, 1);
	free_rt(rt, &t);
}

static void test_gc__quarter_rule_defers_full_collections(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	rc_object *keep = rc_list_new(rt);
	for (int i = 0; i < 10000; i++)
		rc_list_append_steal(rt, keep, rc_list_new(rt));
	rc_gc_collect(rt, 2); /* 10001 long-lived objects */
	long th[3] = {100, 1, 1};
	rc_gc_set_threshold(rt, 3, th);
	rc_gc_enable(rt);
	rc_gc_stats s0[3], s1[3], s2[3];
	rc_gc_get_stats(rt, s0);
	for (int i = 0; i < 2000; i++) /* < 25% new long-lived objects: no full collection */
		rc_list_append_steal(rt, keep, rc_list_new(rt));
	rc_gc_get_stats(rt, s1);
	assert_true(s1[1].collections > s0[1].collections);
	assert_int_equal(s1[2].collections, s0[2].collections);
	for (int i = 0; i < 1000; i++) /* past 25%: a full collection runs */
		rc_list_append_steal(rt, keep, rc_list_new(rt));
	rc_gc_get_stats(rt, s2);
	assert_true(s2[2].collections > s1[2].collections);
	rc_decref(rt, keep);
	free_rt(rt, &t);
}

/* ---- p12: tracking rules ---- */

static void test_gc__p12_tracking_rules(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	rc_object *i = rc_int_new(rt, 0), *s = rc_str_from(rt, "a"), *l = rc_list_new(rt);
	assert_false(rc_gc_is_tracked(i));
	assert_false(rc_gc_is_tracked(s));
	assert_false(rc_gc_is_tracked(rc_none(rt)));
	assert_true(rc_gc_is_tracked(l));
	rc_object *items[2] = {i, s};
	rc_object *tup = rc_tuple_pack(rt, 2, items), *empty = rc_tuple_new(rt, 0);
	assert_true(rc_gc_is_tracked(tup)); /* tracked at creation */
	assert_false(rc_gc_is_tracked(empty));
	rc_object *tl = rc_tuple_pack(rt, 1, &l); /* holds a tracked object: stays tracked */
	rc_gc_collect(rt, 0);
	assert_false(rc_gc_is_tracked(tup)); /* untracked by a collection */
	assert_true(rc_gc_is_tracked(tl));
	rc_object *n = node_new(rt, &node_type, 1, NULL);
	assert_true(rc_gc_is_tracked(n));
	/* dicts (CPython <= 3.13) */
	rc_object *d = rc_dict_new(rt);
	assert_false(rc_gc_is_tracked(d));
	rc_dict_set(rt, d, s, i);
	assert_false(rc_gc_is_tracked(d));
	rc_dict_set_str(rt, d, "list", l);
	assert_true(rc_gc_is_tracked(d));
	rc_dict_del(rt, d, rc_dict_get_str(d, "list") ? s : s); /* remove an atom entry */
	rc_object *k = rc_str_from(rt, "list");
	assert_int_equal(rc_dict_del(rt, d, k), RC_OK);
	rc_gc_collect(rt, 0);
	assert_true(rc_gc_is_tracked(d)); /* only a full collection untracks */
	rc_gc_collect(rt, 2);
	assert_false(rc_gc_is_tracked(d));
	rc_object *objs[] = {i, s, l, tup, empty, tl, n, d, k};
	for (size_t j = 0; j < sizeof objs / sizeof *objs; j++)
		rc_decref(rt, objs[j]);
	free_rt(rt, &t);
}

/* ---- p13: get_referents ---- */

static void test_gc__p13_get_referents_order(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_object *one = rc_int_new(rt, 1), *two = rc_int_new(rt, 2), *a = rc_str_from(rt, "a");
	rc_object *l = rc_list_new(rt);
	rc_list_append(rt, l, one);
	rc_list_append(rt, l, a);
	rc_list_append(rt, l, rc_none(rt));
	rc_object *out;
	assert_int_equal(rc_gc_get_referents(rt, &l, 1, &out), RC_OK);
	assert_int_equal(rc_list_size(out), 3);
	assert_ptr_equal(rc_list_get(out, 0), rc_none(rt));
	assert_ptr_equal(rc_list_get(out, 1), a);
	assert_ptr_equal(rc_list_get(out, 2), one);
	rc_decref(rt, out);
	rc_object *items[2] = {one, two};
	rc_object *tup = rc_tuple_pack(rt, 2, items);
	assert_int_equal(rc_gc_get_referents(rt, &tup, 1, &out), RC_OK);
	assert_int_equal(rc_list_size(out), 2);
	assert_ptr_equal(rc_list_get(out, 0), two);
	assert_ptr_equal(rc_list_get(out, 1), one);
	rc_decref(rt, out);
	rc_object *d = rc_dict_new(rt), *v = rc_str_from(rt, "v");
	rc_dict_set_str(rt, d, "k", v);
	assert_int_equal(rc_gc_get_referents(rt, &d, 1, &out), RC_OK);
	assert_int_equal(rc_list_size(out), 1);
	assert_ptr_equal(rc_list_get(out, 0), v);
	rc_decref(rt, out);
	assert_int_equal(rc_gc_get_referents(rt, &one, 1, &out), RC_OK);
	assert_int_equal(rc_list_size(out), 0);
	rc_decref(rt, out);
	rc_object *objs[] = {one, two, a, l, tup, d, v};
	for (size_t j = 0; j < sizeof objs / sizeof *objs; j++)
		rc_decref(rt, objs[j]);
	free_rt(rt, &t);
}

static void test_gc__get_referrers_finds_direct_containers(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_object *x = rc_list_new(rt), *p = rc_list_new(rt), *q = rc_list_new(rt), *r = rc_list_new(rt);
	rc_list_append(rt, p, x);
	rc_list_append(rt, q, p); /* q refers to p, not to x */
	rc_object *out;
	assert_int_equal(rc_gc_get_referrers(rt, &x, 1, &out), RC_OK);
	assert_int_equal(rc_list_size(out), 1);
	assert_ptr_equal(rc_list_get(out, 0), p);
	rc_decref(rt, out);
	rc_object *two[2] = {x, p};
	assert_int_equal(rc_gc_get_referrers(rt, two, 2, &out), RC_OK);
	assert_int_equal(rc_list_size(out), 2);
	assert_true(list_contains(out, p) && list_contains(out, q) && !list_contains(out, r));
	rc_decref(rt, out);
	rc_object *objs[] = {x, p, q, r};
	for (size_t j = 0; j < 4; j++)
		rc_decref(rt, objs[j]);
	free_rt(rt, &t);
}

/* ---- p14, p15: get_objects and errors ---- */

static void test_gc__p14_get_objects_excludes_result_and_frozen(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	rc_object *a = rc_list_new(rt), *out = NULL;
	assert_int_equal(rc_gc_get_objects(rt, -1, &out), RC_OK);
	assert_true(list_contains(out, a));
	assert_false(list_contains(out, out));
	rc_decref(rt, out);
	assert_int_equal(rc_gc_get_objects(rt, 0, &out), RC_OK);
	assert_true(list_contains(out, a));
	rc_decref(rt, out);
	assert_int_equal(rc_gc_get_objects(rt, 1, &out), RC_OK);
	assert_false(list_contains(out, a));
	rc_decref(rt, out);
	rc_gc_freeze(rt);
	assert_int_equal(rc_gc_get_objects(rt, -1, &out), RC_OK);
	assert_int_equal(rc_list_size(out), 0);
	rc_decref(rt, out);
	rc_gc_unfreeze(rt);
	rc_decref(rt, a);
	free_rt(rt, &t);
}

static void test_gc__p15_invalid_arguments_are_errors(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_object *out = (rc_object *)1;
	assert_int_equal(rc_gc_collect(rt, -1), RC_EGEN);
	assert_int_equal(rc_gc_collect(rt, 3), RC_EGEN);
	assert_int_equal(rc_gc_get_objects(rt, 3, &out), RC_EGEN);
	assert_null(out);
	assert_int_equal(rc_gc_get_objects(rt, -2, &out), RC_EGEN);
	long th[4] = {1, 2, 3, 4};
	assert_int_equal(rc_gc_set_threshold(rt, 4, th), RC_EINVAL);
	assert_int_equal(rc_gc_set_threshold(rt, 0, th), RC_EINVAL);
	long neg[1] = {-1};
	assert_int_equal(rc_gc_set_threshold(rt, 1, neg), RC_EINVAL);
	assert_int_equal(rc_gc_get_objects(rt, 0, NULL), RC_EINVAL);
	assert_int_equal(rc_gc_callback_remove(rt, NULL, NULL), RC_ENOENT);
	assert_int_equal(rc_gc_callback_add(rt, NULL, NULL), RC_EINVAL);
	rc_gc_set_debug(rt, 12345); /* stored as given, as CPython */
	assert_int_equal(rc_gc_get_debug(rt), 12345);
	rc_gc_set_debug(rt, 0);
	free_rt(rt, &t);
}

/* ---- p16: re-entrancy ---- */

static long reentrant_result = -99;

static void reenter_finalize(rc_runtime *rt, rc_object *self)
{
	(void)self;
	reentrant_result = rc_gc_collect(rt, 2);
}

static const rc_type reenter_type = {
	.name = "reenter", .size = sizeof(node), .flags = RC_TYPE_GC, .traverse = node_traverse,
	.clear = node_clear, .finalize = reenter_finalize, .dealloc = node_dealloc,
};

typedef struct {
	int starts, stops;
	long reentry;
	rc_gc_info start, stop;
} cbrec;

static void record_cb(rc_runtime *rt, rc_gc_phase phase, const rc_gc_info *info, void *ud)
{
	cbrec *r = ud;
	if (phase == RC_GC_START) {
		r->starts++;
		r->start = *info;
	} else {
		r->stops++;
		r->stop = *info;
	}
	r->reentry = rc_gc_collect(rt, 0);
}

static void test_gc__p16_collect_during_collection_returns_zero(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	rc_decref(rt, pair(rt, &reenter_type, 1, 2, NULL));
	assert_int_equal(rc_gc_collect(rt, 2), 2);
	assert_int_equal(reentrant_result, 0);
	cbrec r = {0};
	r.reentry = -99;
	rc_gc_callback_add(rt, record_cb, &r);
	rc_gc_collect(rt, 0);
	assert_int_equal(r.reentry, 0);
	assert_int_equal(r.starts, 1); /* the nested call started nothing */
	free_rt(rt, &t);
}

/* ---- p18: freeze ---- */

static void test_gc__p18_freeze_hides_objects_from_collections(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	rc_object *old = self_cycle(rt);
	rc_gc_collect(rt, 0); /* counts (0, 1, 0) */
	rc_gc_freeze(rt);
	assert_int_equal(rc_gc_get_freeze_count(rt), 1);
	long c[3];
	rc_gc_get_count(rt, c);
	assert_true(c[0] == 0 && c[1] == 0 && c[2] == 0); /* 3.13: freeze resets all three */
	rc_decref(rt, old); /* garbage now, but frozen */
	rc_decref(rt, self_cycle(rt));
	assert_int_equal(rc_gc_collect(rt, 2), 1); /* only the new cycle */
	rc_gc_unfreeze(rt);
	assert_int_equal(rc_gc_get_freeze_count(rt), 0);
	rc_object *out;
	rc_gc_get_objects(rt, 2, &out);
	assert_true(list_contains(out, old)); /* back in the oldest generation */
	rc_decref(rt, out);
	assert_int_equal(rc_gc_collect(rt, 2), 1);
	free_rt(rt, &t);
}

/* ---- p19, p20: callbacks and stats ---- */

static void test_gc__p19_callbacks_get_generation_and_counts(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	cbrec r = {0};
	assert_int_equal(rc_gc_callback_add(rt, record_cb, &r), RC_OK);
	rc_decref(rt, self_cycle(rt));
	assert_int_equal(rc_gc_collect(rt, 1), 1);
	assert_int_equal(r.starts, 1);
	assert_int_equal(r.stops, 1);
	assert_int_equal(r.start.generation, 1);
	assert_int_equal(r.start.collected, 0);
	assert_int_equal(r.start.uncollectable, 0);
	assert_int_equal(r.stop.generation, 1);
	assert_int_equal(r.stop.collected, 1);
	assert_int_equal(r.stop.uncollectable, 0);
	assert_true(r.stop.candidates >= 1);
	assert_true(r.stop.duration > 0); /* a callback's collection reads the precise clock */
	assert_int_equal(rc_gc_callback_remove(rt, record_cb, &r), RC_OK);
	assert_int_equal(rc_gc_callback_remove(rt, record_cb, &r), RC_ENOENT);
	rc_gc_collect(rt, 2);
	assert_int_equal(r.starts, 1);
	free_rt(rt, &t);
}

/* The duration statistic: a generation-0 collection of a few objects, cheaper than reading
 * CLOCK_MONOTONIC, is timed with the coarse clock (0 or a tick); one of many objects, and
 * every older generation's, with the precise one, so its duration is never 0. */
static void test_gc__durations_of_collections_with_work_are_measured(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	rc_object *l = rc_list_new(rt);
	for (int i = 0; i < 1000; i++)
		rc_list_append_steal(rt, l, rc_list_new(rt));
	rc_gc_stats st[3];
	assert_int_equal(rc_gc_collect(rt, 0), 0);
	rc_gc_get_stats(rt, st);
	assert_true(st[0].duration > 0);
	assert_int_equal(rc_gc_collect(rt, 1), 0);
	rc_gc_get_stats(rt, st);
	assert_true(st[1].duration > 0);
	double before = st[0].duration;
	assert_int_equal(rc_gc_collect(rt, 0), 0); /* nothing new: the coarse clock */
	rc_gc_get_stats(rt, st);
	assert_true(st[0].duration >= before && st[0].duration < before + 0.1);
	rc_decref(rt, l);
	free_rt(rt, &t);
}

static void test_gc__p19_callbacks_run_for_automatic_collections(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	cbrec r = {0};
	rc_gc_callback_add(rt, record_cb, &r);
	long th[1] = {50};
	rc_gc_set_threshold(rt, 1, th);
	for (int i = 0; i < 1000; i++)
		rc_decref(rt, self_cycle(rt));
	assert_true(r.starts >= 10);
	assert_int_equal(r.starts, r.stops);
	rc_gc_stats st[3];
	rc_gc_get_stats(rt, st);
	assert_int_equal((uint64_t)r.stops, st[0].collections + st[1].collections + st[2].collections);
	free_rt(rt, &t);
}

static void test_gc__p20_stats_count_per_generation(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	rc_gc_stats st[3];
	rc_gc_get_stats(rt, st);
	for (int g = 0; g < 3; g++)
		assert_int_equal(st[g].collections, 0);
	rc_decref(rt, self_cycle(rt));
	rc_gc_collect(rt, 0);
	rc_gc_collect(rt, 2);
	rc_gc_collect(rt, 2);
	rc_gc_get_stats(rt, st);
	assert_int_equal(st[0].collections, 1);
	assert_int_equal(st[0].collected, 1);
	assert_int_equal(st[1].collections, 0);
	assert_int_equal(st[2].collections, 2);
	assert_int_equal(st[2].collected, 0);
	free_rt(rt, &t);
}

/* ---- p21: clear that keeps references: the object survives, promoted ---- */

static void stubborn_clear(rc_runtime *rt, rc_object *self)
{
	(void)rt;
	(void)self; /* drops nothing */
}

static const rc_type stubborn_type = {
	.name = "stubborn", .size = sizeof(node), .flags = RC_TYPE_GC, .traverse = node_traverse,
	.clear = stubborn_clear, .dealloc = node_dealloc,
};

static void test_gc__p21_object_alive_after_clear_is_promoted(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	tlog log = {0};
	rc_gc_disable(rt);
	rc_object *a = pair(rt, &stubborn_type, 1, 2, &log);
	rc_decref(rt, a);
	assert_int_equal(rc_gc_collect(rt, 0), 2);
	assert_int_equal(log.n, 0);
	rc_object *out;
	rc_gc_get_objects(rt, 1, &out);
	assert_true(list_contains(out, a));
	rc_decref(rt, out);
	node_clear(rt, a); /* break it by hand */
	assert_int_equal(log.n, 2);
	free_rt(rt, &t);
}

/* ---- p22: finalizers run before any clear ---- */

static void test_gc__p22_finalizers_run_before_clears(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	tlog log = {0};
	rc_gc_disable(rt);
	rc_object *a = pair(rt, &fnode_type, 1, 2, &log);
	rc_object *b = ((node *)a)->a;
	rc_decref(rt, a);
	(void)b;
	assert_int_equal(rc_gc_collect(rt, 2), 2);
	int last_fin = -1, first_free = 100;
	for (int i = 0; i < log.n; i++) {
		if (!strncmp(log.ev[i], "fin", 3))
			last_fin = i;
		if (!strncmp(log.ev[i], "free", 4) && i < first_free)
			first_free = i;
	}
	assert_true(last_fin >= 0 && last_fin < first_free);
	free_rt(rt, &t);
}

static int peer_seen[3];

static void record_peer_finalize(rc_runtime *rt, rc_object *self)
{
	(void)rt;
	node *n = (node *)self;
	peer_seen[n->id] = n->a ? ((node *)n->a)->id : -1;
}

static const rc_type recpeer_type = {
	.name = "recpeer", .size = sizeof(node), .flags = RC_TYPE_GC, .traverse = node_traverse,
	.clear = node_clear, .finalize = record_peer_finalize, .dealloc = node_dealloc,
};

static void test_gc__p22_finalizer_sees_peer_intact(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	rc_decref(rt, pair(rt, &recpeer_type, 1, 2, NULL));
	assert_int_equal(rc_gc_collect(rt, 2), 2);
	assert_int_equal(peer_seen[1], 2);
	assert_int_equal(peer_seen[2], 1);
	free_rt(rt, &t);
}

/* ---- p23: shutdown ---- */

static void test_gc__p23_runtime_free_collects_without_callbacks(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	tlog log = {0};
	rc_gc_disable(rt);
	cbrec r = {0};
	rc_gc_callback_add(rt, record_cb, &r);
	rc_decref(rt, pair(rt, &fnode_type, 1, 2, &log));
	rc_gc_set_debug(rt, RC_GC_DEBUG_SAVEALL);
	rc_decref(rt, self_cycle(rt));
	rc_gc_collect(rt, 2); /* garbage list now holds things */
	assert_int_equal(r.starts, 1);
	rc_gc_set_debug(rt, 0);
	free_rt(rt, &t); /* also frees what sat in the garbage list */
	assert_int_equal(r.starts, 1);
	assert_int_equal(count_ev(&log, "free"), 2);
}

/* ---- DEBUG_* output ---- */

static void test_gc__debug_output_goes_to_chosen_stream(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	rc_gc_set_debug_stream(rt, f);
	rc_gc_set_debug(rt, RC_GC_DEBUG_STATS | RC_GC_DEBUG_COLLECTABLE | RC_GC_DEBUG_UNCOLLECTABLE);
	rc_object *l = self_cycle(rt);
	rc_decref(rt, l);
	rc_object *leg = node_new(rt, &lnode_type, 1, NULL);
	node_set_a(rt, leg, leg);
	rc_decref(rt, leg);
	rc_gc_collect(rt, 2);
	fflush(f);
	assert_non_null(strstr(buf, "gc: collecting generation 2...\n"));
	assert_non_null(strstr(buf, "gc: objects in each generation: 2 0 0\n"));
	assert_non_null(strstr(buf, "gc: objects in permanent generation: 0\n"));
	char want[64];
	snprintf(want, sizeof want, "gc: collectable <list %p>\n", (void *)l);
	assert_non_null(strstr(buf, want));
	snprintf(want, sizeof want, "gc: uncollectable <lnode %p>\n", (void *)leg);
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "gc: done, 2 unreachable, 1 uncollectable, "));
	rc_gc_set_debug(rt, 0);
	fclose(f);
	free(buf);
	node_set_a(rt, leg, NULL);
	rc_list_clear(rt, rc_gc_garbage(rt));
	free_rt(rt, &t);
}

static void test_gc__p23_uncollectable_listed_at_shutdown(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	rc_gc_set_debug_stream(rt, f);
	rc_object *leg = node_new(rt, &lnode_type, 1, NULL);
	node_set_a(rt, leg, leg);
	rc_decref(rt, leg);
	assert_int_equal(rc_gc_collect(rt, 2), 1);
	rc_gc_set_debug(rt, RC_GC_DEBUG_UNCOLLECTABLE);
	char want[80];
	snprintf(want, sizeof want, "gc: uncollectable <lnode %p>\n", (void *)leg);
	node_set_a(rt, leg, NULL); /* so that the last collection can free it */
	free_rt(rt, &t);
	fclose(f);
	assert_non_null(strstr(buf, "gc: 1 uncollectable objects at shutdown\n"));
	assert_non_null(strstr(buf, want));
	free(buf);
}

/* ---- the tutorial's experiment: an array kept by a self-referencing list ---- */

static void test_gc__array_in_cycle_lives_until_collect(void **state)
{
	(void)state;
	talloc t;
	rc_runtime *rt = new_rt(&t);
	rc_gc_disable(rt);
	size_t base = t.live_bytes;
	rc_object *a = rc_array_random_int(rt, 1 << 20, 1, 100, 7); /* 8 MiB */
	double mean;
	assert_int_equal(rc_array_mean(a, &mean), RC_OK);
	assert_true(mean > 49 && mean < 52);
	rc_object *l = rc_list_new(rt);
	rc_list_append(rt, l, a);
	rc_list_append(rt, l, l);
	rc_decref(rt, a);
	rc_decref(rt, l);
	assert_true(t.live_bytes - base >= (size_t)8 << 20); /* the cycle keeps the array */
	for (int i = 0; i < 100; i++) /* a few allocations: far below the threshold anyway */
		rc_decref(rt, rc_list_new(rt));
	assert_true(t.live_bytes - base >= (size_t)8 << 20);
	assert_int_equal(rc_gc_collect(rt, 2), 1);
	assert_int_equal(t.live_bytes, base);
	free_rt(rt, &t);
}

/* ---- seen by mprof: a collection sends one G event on the trace channel ---- */

static const char *self_path;

#ifdef RCGC_STRESS
#define AUTO_EXPECTED 33 /* the stress build collects at every container allocation */
#else
#define AUTO_EXPECTED 3
#endif

static void test_gc__collections_reported_to_mprof(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		char fd[16];
		snprintf(fd, sizeof fd, "%d", sv[1]);
		setenv("MPROF_TRACE_FD", fd, 1);
		execl(self_path, self_path, "--trace-child", (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	static char buf[1 << 16];
	size_t len = 0;
	ssize_t r;
	while ((r = read(sv[0], buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)r;
	buf[len] = '\0';
	close(sv[0]);
	int status;
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* "G pid gen t0 rss0 t1 rss1 collected uncollectable candidates" */
	char *line = strstr(buf, "G ");
	assert_non_null(line);
	long p, gen, collected, uncollectable, candidates;
	double t0, t1;
	long long rss0, rss1;
	assert_int_equal(sscanf(line, "G %ld %ld %lf %lld %lf %lld %ld %ld %ld", &p, &gen, &t0, &rss0,
				&t1, &rss1, &collected, &uncollectable, &candidates), 9);
	assert_int_equal(p, pid);
	assert_int_equal(gen, 2);
	assert_int_equal(collected, 1);
	assert_int_equal(uncollectable, 0);
	assert_int_equal(candidates, 1);
	/* then one event per automatic collection the child set off (generation 0 but in the
	 * stress build, where some are older ones), and last the full collection of
	 * rc_runtime_free */
	int events = 0;
	long last_gen = -1;
	for (char *q = strstr(line + 1, "\nG "); q; q = strstr(q + 1, "\nG ")) {
		assert_int_equal(sscanf(q + 1, "G %ld %ld", &p, &gen), 2);
		assert_int_equal(p, pid);
#ifndef RCGC_STRESS
		if (events < AUTO_EXPECTED)
			assert_int_equal(gen, 0);
#endif
		last_gen = gen;
		events++;
	}
	assert_int_equal(events, AUTO_EXPECTED + 1);
	assert_int_equal(last_gen, 2);
}

static int trace_child(void)
{
	rc_runtime *rt = rc_runtime_new(NULL);
	if (!rt)
		return 1;
	rc_gc_disable(rt);
	rc_object *l = rc_list_new(rt);
	rc_list_append(rt, l, l);
	rc_decref(rt, l);
	long n = rc_gc_collect(rt, 2);
	rc_gc_enable(rt);
	long th[1] = {10};
	rc_gc_set_threshold(rt, 1, th);
	/* 33 kept containers: count0 passes 10 three times, three automatic collections (a
	 * container freed at once would not count: allocations minus deallocations) */
	rc_object *keep = rc_list_new(rt);
	for (int i = 0; i < 32; i++)
		rc_list_append_steal(rt, keep, rc_list_new(rt));
	rc_gc_stats st[3];
	rc_gc_get_stats(rt, st);
	rc_decref(rt, keep);
	rc_runtime_free(rt); /* its last collection is reported too (not to callbacks) */
	uint64_t autos = st[0].collections + st[1].collections + st[2].collections - 1;
	return n == 1 && autos == AUTO_EXPECTED ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--trace-child") == 0)
		return trace_child();
	self_path = "/proc/self/exe";
	static char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		self_path = exe;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gc__p1_collect_returns_unreachable_count),
		cmocka_unit_test(test_gc__collect_frees_self_cycle_memory),
		cmocka_unit_test(test_gc__p2_disable_stops_only_automatic_collection),
		cmocka_unit_test(test_gc__p3_threshold_zero_disables_automatic_collection),
		cmocka_unit_test(test_gc__p4_self_resurrection),
		cmocka_unit_test(test_gc__p5_partner_resurrection),
		cmocka_unit_test(test_gc__p6_weakref_callback_sees_cleared_ref),
		cmocka_unit_test(test_gc__p6_weakref_in_garbage_gets_no_callback),
		cmocka_unit_test(test_gc__p7_weakref_to_garbage_is_none_inside_finalizer),
		cmocka_unit_test(test_gc__p8_saveall_keeps_garbage_in_list),
		cmocka_unit_test(test_gc__p9_legacy_finalizer_cycle_is_uncollectable),
		cmocka_unit_test(test_gc__p9_saveall_lists_everything_a_legacy_finalizer_keeps),
		cmocka_unit_test(test_gc__plain_garbage_releases_what_it_holds_outside),
		cmocka_unit_test(test_gc__p10_get_count),
		cmocka_unit_test(test_gc__p25_default_thresholds_are_cpython_313),
		cmocka_unit_test(test_gc__p11_small_threshold_collects_inside_allocation),
		cmocka_unit_test(test_gc__automatic_collection_frees_cycles),
		cmocka_unit_test(test_gc__deferred_collection_waits_for_safepoint),
		cmocka_unit_test(test_gc__quarter_rule_defers_full_collections),
		cmocka_unit_test(test_gc__p12_tracking_rules),
		cmocka_unit_test(test_gc__p13_get_referents_order),
		cmocka_unit_test(test_gc__get_referrers_finds_direct_containers),
		cmocka_unit_test(test_gc__p14_get_objects_excludes_result_and_frozen),
		cmocka_unit_test(test_gc__p15_invalid_arguments_are_errors),
		cmocka_unit_test(test_gc__p16_collect_during_collection_returns_zero),
		cmocka_unit_test(test_gc__p18_freeze_hides_objects_from_collections),
		cmocka_unit_test(test_gc__p19_callbacks_get_generation_and_counts),
		cmocka_unit_test(test_gc__p19_callbacks_run_for_automatic_collections),
		cmocka_unit_test(test_gc__p20_stats_count_per_generation),
		cmocka_unit_test(test_gc__p21_object_alive_after_clear_is_promoted),
		cmocka_unit_test(test_gc__p22_finalizers_run_before_clears),
		cmocka_unit_test(test_gc__p22_finalizer_sees_peer_intact),
		cmocka_unit_test(test_gc__p23_runtime_free_collects_without_callbacks),
		cmocka_unit_test(test_gc__debug_output_goes_to_chosen_stream),
		cmocka_unit_test(test_gc__p23_uncollectable_listed_at_shutdown),
		cmocka_unit_test(test_gc__array_in_cycle_lives_until_collect),
		cmocka_unit_test(test_gc__durations_of_collections_with_work_are_measured),
		cmocka_unit_test(test_gc__collections_reported_to_mprof),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
