/* test_rcgc_gccheck.c - the collector's invariant checker (src/rcgc/gccheck.c): it passes on a
 * sound heap, names the rule a corruption breaks without changing anything, looks only at the
 * generations asked; and the debug build's collection aborts on a broken invariant (the stress
 * twin of every rcgc test is such a build).
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_rcgc_util.h"

#include "rcgc/internal.h"

/* A runtime without automatic collections (the stress build would move objects around), and
 * nodes 0 -> 1 -> 2 -> 0 held from outside by 0 only, moved to generation `gen`. */
static rc_runtime *new_ring(talloc *t, rc_object *o[3], int gen)
{
	rc_runtime *rt = new_rt(t);
	rc_gc_disable(rt);
	for (int i = 0; i < 3; i++)
		o[i] = node_new(rt, &node_type, i, NULL);
	for (int i = 0; i < 3; i++)
		node_set_a(rt, o[i], o[(i + 1) % 3]);
	rc_decref(rt, o[1]);
	rc_decref(rt, o[2]);
	for (int g = 0; g < gen; g++)
		rc_gc_collect(rt, g);
	assert_int_equal(o[0]->gen, gen);
	return rt;
}

static void test_gccheck__sound_heap_passes(void **state)
{
	(void)state;
	talloc t;
	rc_object *o[3];
	rc_runtime *rt = new_ring(&t, o, 2);
	rc_object *young = node_new(rt, &node_type, 9, NULL);
	rc_object *frozen = node_new(rt, &node_type, 10, NULL);
	rc_gc_freeze(rt);
	rc_decref(rt, frozen);
	rc_object *mid = node_new(rt, &node_type, 11, NULL);
	rc_gc_collect(rt, 0);
	assert_int_equal(rc__gc_verify(rt), 0);
	for (unsigned hi = 0; hi < 3; hi++)
		assert_int_equal(rc__gc_check_gens(rt, hi), 0);
	rc_decref(rt, young);
	rc_decref(rt, mid);
	rc_decref(rt, o[0]);
	free_rt(rt, &t);
}

static void test_gccheck__broken_link_is_rule_2(void **state)
{
	(void)state;
	talloc t;
	rc_object *o[3];
	rc_runtime *rt = new_ring(&t, o, 0);
	gchead *g = AS_GC(o[1]), *prev = g->prev;
	g->prev = g;
	assert_int_equal(rc__gc_verify(rt), 2);
	assert_int_equal(rc__gc_check_gens(rt, 0), 2);
	g->prev = prev;
	assert_int_equal(rc__gc_verify(rt), 0);
	rc_decref(rt, o[0]);
	free_rt(rt, &t);
}

static void test_gccheck__wrong_label_is_rule_3(void **state)
{
	(void)state;
	talloc t;
	rc_object *o[3];
	rc_runtime *rt = new_ring(&t, o, 1);
	o[2]->gen = 2;
	assert_int_equal(rc__gc_verify(rt), 3);
	assert_int_equal(rc__gc_check_gens(rt, 1), 3);
	o[2]->gen = 1;
	assert_int_equal(rc__gc_verify(rt), 0);
	rc_decref(rt, o[0]);
	free_rt(rt, &t);
}

static void test_gccheck__leftover_collector_flag_is_rule_4(void **state)
{
	(void)state;
	talloc t;
	rc_object *o[3];
	rc_runtime *rt = new_ring(&t, o, 0);
	o[0]->flags |= RC__F_UNREACH;
	assert_int_equal(rc__gc_verify(rt), 4);
	o[0]->flags &= (uint8_t)~RC__F_UNREACH;
	o[0]->flags |= RC__F_EXTREF;
	assert_int_equal(rc__gc_check_gens(rt, 0), 4);
	o[0]->flags &= (uint8_t)~RC__F_EXTREF;
	assert_int_equal(rc__gc_verify(rt), 0);
	rc_decref(rt, o[0]);
	free_rt(rt, &t);
}

/* A refcount below the references the tracked objects hold (what subtract_refs leaves, or a
 * program's missing incref): found, and every count is left exactly as it was. */
static void test_gccheck__lowered_refcount_is_rule_7_and_counts_stay(void **state)
{
	(void)state;
	talloc t;
	rc_object *o[3];
	rc_runtime *rt = new_ring(&t, o, 0);
	rc_object *c = node_new(rt, &node_type, 3, NULL);
	node_set_b(rt, o[0], c);
	node_set_b(rt, o[1], c); /* c: 1 held + 2 from the ring */
	assert_int_equal(rc__gc_check_gens(rt, 0), 0);
	c->refcnt -= 2;
	uint32_t before[4] = {o[0]->refcnt, o[1]->refcnt, o[2]->refcnt, c->refcnt};
	assert_int_equal(rc__gc_check_gens(rt, 0), 7);
	assert_int_equal(rc__gc_verify(rt), 7);
	uint32_t after[4] = {o[0]->refcnt, o[1]->refcnt, o[2]->refcnt, c->refcnt};
	assert_memory_equal(before, after, sizeof before);
	c->refcnt += 2;
	assert_int_equal(rc__gc_verify(rt), 0);
	rc_decref(rt, c);
	rc_decref(rt, o[0]);
	free_rt(rt, &t);
}

/* rc__gc_check_gens(rt, hi) looks at generations 0..hi only (a debug collection of generation
 * g costs what the collection costs). */
static void test_gccheck__only_the_generations_asked_are_checked(void **state)
{
	(void)state;
	talloc t;
	rc_object *o[3];
	rc_runtime *rt = new_ring(&t, o, 2);
	o[1]->gen = 1;
	assert_int_equal(rc__gc_check_gens(rt, 1), 0);
	assert_int_equal(rc__gc_check_gens(rt, 2), 3);
	o[1]->gen = 2;
	rc_decref(rt, o[0]);
	free_rt(rt, &t);
}

/* The stress twin of the rcgc tests is built with the checks on (tests/rcgc.cmake). */
static void test_gccheck__stress_build_checks_every_collection(void **state)
{
	(void)state;
#ifdef RCGC_STRESS
	assert_true(rc__gc_debug_checks());
#else
	skip();
#endif
}

/* In a debug build, a collection that finds a broken invariant on entry says so and aborts. */
static void test_gccheck__debug_collection_aborts_on_broken_invariant(void **state)
{
	(void)state;
	if (!rc__gc_debug_checks())
		skip();
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		talloc t;
		rc_object *o[3];
		rc_runtime *rt = new_ring(&t, o, 0);
		o[1]->gen = 1;
		rc_gc_collect(rt, 0);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gccheck__sound_heap_passes),
		cmocka_unit_test(test_gccheck__broken_link_is_rule_2),
		cmocka_unit_test(test_gccheck__wrong_label_is_rule_3),
		cmocka_unit_test(test_gccheck__leftover_collector_flag_is_rule_4),
		cmocka_unit_test(test_gccheck__lowered_refcount_is_rule_7_and_counts_stay),
		cmocka_unit_test(test_gccheck__only_the_generations_asked_are_checked),
		cmocka_unit_test(test_gccheck__stress_build_checks_every_collection),
		cmocka_unit_test(test_gccheck__debug_collection_aborts_on_broken_invariant),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
