/* gcmodule.c - the gc API (rc_gc_*), Python's gc module function for function: collect,
 * enable/disable, thresholds, counts, stats, get_objects/referrers/referents, freeze,
 * garbage, debug flags, callbacks, track/untrack. The collection itself is gc.c's.
 *
 * Invariants:
 * - Nothing here changes a generation's list except freeze/unfreeze and track/untrack, which
 *   keep each object's label and its list in step (internal.h).
 * - The result lists of get_objects/get_referrers are left out of their own results.
 * - rt->callbacks may change while they are called (gc.c re-reads the count each time).
 */
#include "internal.h"

int rc_gc_is_tracked(const rc_object *o) { return o && o->gen != RC__GEN_NONE; }
int rc_gc_is_finalized(const rc_object *o) { return o && (o->flags & RC__F_FINALIZED) != 0; }

int rc_gc_track(rc_runtime *rt, rc_object *o)
{
	if (!o || !IS_GC_TYPE(o->type))
		return RC_ETYPE;
	if (o->gen == RC__GEN_NONE)
		rc__track(rt, o);
	return RC_OK;
}

int rc_gc_untrack(rc_runtime *rt, rc_object *o)
{
	(void)rt;
	if (!o || !IS_GC_TYPE(o->type))
		return RC_ETYPE;
	if (o->gen != RC__GEN_NONE)
		rc__untrack(o);
	return RC_OK;
}

int rc_gc_enable(rc_runtime *rt)
{
	int was = rt->enabled;
	rt->enabled = 1;
	return was;
}

int rc_gc_disable(rc_runtime *rt)
{
	int was = rt->enabled;
	rt->enabled = 0;
	return was;
}

int rc_gc_isenabled(const rc_runtime *rt) { return rt->enabled; }

long rc_gc_collect(rc_runtime *rt, int generation)
{
	if (generation < 0 || generation >= RC_GC_GENERATIONS)
		return RC_EGEN;
	return rc__gc_collect(rt, generation);
}

long rc_gc_safepoint(rc_runtime *rt)
{
	if (!rt->gc_due || rt->collecting)
		return 0;
	rt->gc_due = 0;
	if (!rt->enabled)
		return 0;
	return rc__gc_collect_generations(rt);
}

void rc_gc_get_count(const rc_runtime *rt, long count[RC_GC_GENERATIONS])
{
	for (int i = 0; i < RC_GC_GENERATIONS; i++)
		count[i] = rt->gens[i].count;
}

void rc_gc_get_threshold(const rc_runtime *rt, long threshold[RC_GC_GENERATIONS])
{
	for (int i = 0; i < RC_GC_GENERATIONS; i++)
		threshold[i] = rt->gens[i].threshold;
}

int rc_gc_set_threshold(rc_runtime *rt, int n, const long *thresholds)
{
	if (n < 1 || n > RC_GC_GENERATIONS || !thresholds)
		return RC_EINVAL;
	for (int i = 0; i < n; i++)
		if (thresholds[i] < 0)
			return RC_EINVAL;
	for (int i = 0; i < n; i++)
		rt->gens[i].threshold = thresholds[i];
	return RC_OK;
}

void rc_gc_get_stats(const rc_runtime *rt, rc_gc_stats stats[RC_GC_GENERATIONS])
{
	for (int i = 0; i < RC_GC_GENERATIONS; i++)
		stats[i] = rt->stats[i];
}

int rc_gc_get_objects(rc_runtime *rt, int generation, rc_object **out)
{
	if (!out)
		return RC_EINVAL;
	*out = NULL;
	if (generation < -1 || generation >= RC_GC_GENERATIONS)
		return RC_EGEN;
	rc_object *res = rc_list_new(rt);
	if (!res)
		return RC_ENOMEM;
	int lo = generation < 0 ? 0 : generation, hi = generation < 0 ? RC_GC_GENERATIONS - 1 : generation;
	for (int i = lo; i <= hi; i++) {
		gchead *h = &rt->gens[i].head;
		for (gchead *g = h->next; g != h; g = g->next) {
			rc_object *o = FROM_GC(g);
			if (o == res)
				continue;
			if (rc_list_append(rt, res, o)) {
				rc_decref(rt, res);
				return RC_ENOMEM;
			}
		}
	}
	*out = res;
	return RC_OK;
}

typedef struct {
	rc_object *const *objs;
	size_t n;
	bool hit;
} referrer_ctx;

static void visit_referrer(rc_object *c, void *arg)
{
	referrer_ctx *rc = arg;
	if (!c || rc->hit)
		return;
	for (size_t i = 0; i < rc->n; i++)
		if (rc->objs[i] == c) {
			rc->hit = true;
			return;
		}
}

int rc_gc_get_referrers(rc_runtime *rt, rc_object *const *objs, size_t n, rc_object **out)
{
	if (!out || (n && !objs))
		return RC_EINVAL;
	*out = NULL;
	rc_object *res = rc_list_new(rt);
	if (!res)
		return RC_ENOMEM;
	for (int i = 0; i < RC_GC_GENERATIONS; i++) {
		gchead *h = &rt->gens[i].head;
		for (gchead *g = h->next; g != h; g = g->next) {
			rc_object *o = FROM_GC(g);
			if (o == res)
				continue;
			referrer_ctx rc = {objs, n, false};
			o->type->traverse(o, visit_referrer, &rc);
			if (rc.hit && rc_list_append(rt, res, o)) {
				rc_decref(rt, res);
				return RC_ENOMEM;
			}
		}
	}
	*out = res;
	return RC_OK;
}

typedef struct {
	rc_runtime *rt;
	rc_object *res;
	int err;
} referent_ctx;

static void visit_referent(rc_object *c, void *arg)
{
	referent_ctx *rc = arg;
	if (c && !rc->err)
		rc->err = rc_list_append(rc->rt, rc->res, c);
}

int rc_gc_get_referents(rc_runtime *rt, rc_object *const *objs, size_t n, rc_object **out)
{
	if (!out || (n && !objs))
		return RC_EINVAL;
	*out = NULL;
	referent_ctx rc = {rt, rc_list_new(rt), RC_OK};
	if (!rc.res)
		return RC_ENOMEM;
	for (size_t i = 0; i < n && !rc.err; i++)
		if (objs[i] && IS_GC_TYPE(objs[i]->type))
			objs[i]->type->traverse(objs[i], visit_referent, &rc);
	if (rc.err) {
		rc_decref(rt, rc.res);
		return rc.err;
	}
	*out = rc.res;
	return RC_OK;
}

void rc_gc_freeze(rc_runtime *rt)
{
	for (int i = 0; i < RC_GC_GENERATIONS; i++) {
		gcl_relabel(&rt->gens[i].head, GEN_FROZEN);
		gcl_merge(&rt->gens[i].head, &rt->frozen);
		rt->gens[i].count = 0;
	}
}

void rc_gc_unfreeze(rc_runtime *rt)
{
	gcl_relabel(&rt->frozen, RC_GC_GENERATIONS - 1);
	gcl_merge(&rt->frozen, &rt->gens[RC_GC_GENERATIONS - 1].head);
}

size_t rc_gc_get_freeze_count(const rc_runtime *rt) { return gcl_len(&rt->frozen); }

rc_object *rc_gc_garbage(rc_runtime *rt)
{
	if (!rt->garbage)
		rt->garbage = rc_list_new(rt);
	return rt->garbage;
}

void rc_gc_set_debug(rc_runtime *rt, int flags) { rt->debug = flags; }
int rc_gc_get_debug(const rc_runtime *rt) { return rt->debug; }
void rc_gc_set_debug_stream(rc_runtime *rt, FILE *stream) { rt->debug_stream = stream; }

int rc_gc_callback_add(rc_runtime *rt, rc_gc_callback cb, void *ud)
{
	if (!cb)
		return RC_EINVAL;
	if (rt->ncallbacks == rt->callbacks_cap) {
		size_t ncap = rt->callbacks_cap ? rt->callbacks_cap * 2 : 4;
		struct gc_callback *nc = rc__mem_realloc(rt, rt->callbacks,
							 rt->callbacks_cap * sizeof *nc,
							 ncap * sizeof *nc);
		if (!nc)
			return RC_ENOMEM;
		rt->callbacks = nc;
		rt->callbacks_cap = ncap;
	}
	rt->callbacks[rt->ncallbacks++] = (struct gc_callback){cb, ud};
	return RC_OK;
}

int rc_gc_callback_remove(rc_runtime *rt, rc_gc_callback cb, void *ud)
{
	for (size_t i = 0; i < rt->ncallbacks; i++) {
		if (rt->callbacks[i].fn == cb && rt->callbacks[i].ud == ud) {
			memmove(&rt->callbacks[i], &rt->callbacks[i + 1],
				(rt->ncallbacks - i - 1) * sizeof *rt->callbacks);
			rt->ncallbacks--;
			return RC_OK;
		}
	}
	return RC_ENOENT;
}
