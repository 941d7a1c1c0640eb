/* gccheck.c - the collector's invariants (internal.h), checked: rc__gc_verify for the tests,
 * between collections; rc__gc_check_gens for the debug build (RCGC_DEBUG), on entry to and
 * exit from every collection (gc.c), over the generations that collection examines.
 *
 * The rules, numbered as the functions return them:
 *   1  outside a collection, the dealloc queue is empty and nothing is being deallocated
 *   2  every list is well linked (g->next->prev == g, the head included)
 *   3  every object on generation i's list is labelled i (the permanent one: GEN_FROZEN)
 *   4  no collector flag (RC__F_UNREACH, RC__F_EXTREF) is left set
 *   5  every object on a list is of a GC type and has a refcount above 0
 *   6  every generation's count is >= 0
 *   7  no refcount is lowered: each is at least the number of references to it from the
 *      objects checked (what subtract_refs takes away; it restores nothing if this fails)
 *   8  outside a collection, no weakref's target has a refcount of 0 (between collections
 *      nothing waits in the dealloc queue, so a dead object's weakrefs are all cleared)
 *
 * rc__user_code_check (debug build) enforces gc.c's invariant where user code is called: no
 * user code while the collector's state is inconsistent (rt->unsafe).
 *
 * Invariants: checking changes nothing. Rule 7 lowers the counts and restores them exactly
 * (no object is freed or moved meanwhile, no user code runs but the types' traverse hooks).
 * rc__gc_check_gens walks each generation it checks twice, so a debug build's collection costs
 * a small multiple of the same collection in a release build.
 */
#include <stdlib.h>

#include "internal.h"

/* Rules 2 to 5 on one list. */
static int check_list(const gchead *h, unsigned want)
{
	const gchead *prev = h;
	for (const gchead *g = h->next; g != h; prev = g, g = g->next) {
		const rc_object *o = FROM_GC(g);
		if (g->prev != prev)
			return 2;
		if (o->gen != want)
			return 3;
		if (o->flags & (RC__F_UNREACH | RC__F_EXTREF))
			return 4;
		if (!IS_GC_TYPE(o->type) || o->refcnt == 0)
			return 5;
	}
	return h->prev == prev ? 0 : 2;
}

typedef struct {
	unsigned hi;   /* the generations checked: 0..hi */
	size_t broken; /* references found beyond a refcount */
} refs_ctx;

static void visit_lower(rc_object *c, void *arg)
{
	refs_ctx *rc = arg;
	if (c && c->gen <= rc->hi) {
		if (c->refcnt == 0)
			rc->broken++;
		c->refcnt--; /* may wrap: visit_raise undoes it exactly */
	}
}

static void visit_raise(rc_object *c, void *arg)
{
	refs_ctx *rc = arg;
	if (c && c->gen <= rc->hi)
		c->refcnt++;
}

/* Rule 7 over generations 0..hi (whose lists are well formed). */
static int check_refcounts(rc_runtime *rt, unsigned hi)
{
	refs_ctx rc = {hi, 0};
	for (unsigned i = 0; i <= hi; i++)
		for (gchead *g = rt->gens[i].head.next; g != &rt->gens[i].head; g = g->next)
			FROM_GC(g)->type->traverse(FROM_GC(g), visit_lower, &rc);
	for (unsigned i = 0; i <= hi; i++)
		for (gchead *g = rt->gens[i].head.next; g != &rt->gens[i].head; g = g->next)
			FROM_GC(g)->type->traverse(FROM_GC(g), visit_raise, &rc);
	return rc.broken ? 7 : 0;
}

int rc__gc_check_gens(rc_runtime *rt, unsigned hi)
{
	if (hi >= RC_GC_GENERATIONS)
		hi = RC_GC_GENERATIONS - 1;
	for (unsigned i = 0; i <= hi; i++) {
		int err = check_list(&rt->gens[i].head, i);
		if (err)
			return err;
		if (rt->gens[i].count < 0)
			return 6;
	}
	return check_refcounts(rt, hi);
}

/* Rule 8: every target in the weakref table is alive. */
static int check_weak_targets(const rc_runtime *rt)
{
	for (size_t i = 0; i < rt->weak_cap; i++)
		if (rt->weak[i].target && rt->weak[i].target->refcnt == 0)
			return 8;
	return 0;
}

int rc__gc_verify(rc_runtime *rt)
{
	if (rt->collecting || rt->deallocating || rt->dealloc_queue)
		return rt->collecting ? 0 : 1;
	for (unsigned i = 0; i < RC_GC_GENERATIONS; i++) {
		int err = check_list(&rt->gens[i].head, i);
		if (err)
			return err;
		if (rt->gens[i].count < 0)
			return 6;
	}
	int err = check_list(&rt->frozen, GEN_FROZEN);
	if (!err)
		err = check_weak_targets(rt);
	return err ? err : check_refcounts(rt, RC_GC_GENERATIONS - 1);
}

#ifdef RCGC_DEBUG
void rc__user_code_check(const rc_runtime *rt, const char *what)
{
	if (!rt->unsafe)
		return;
	fprintf(stderr, "rcgc: %s called while the collector's state is inconsistent\n", what);
	abort();
}
#endif

bool rc__gc_debug_checks(void)
{
#ifdef RCGC_DEBUG
	return true;
#else
	return false;
#endif
}
