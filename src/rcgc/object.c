/* object.c - an object's life: creation, tracking, and deallocation (the runtime's own life
 * cycle is in runtime.c).
 *
 * Invariants:
 * - Deallocation never recurses per link: while one object is being deallocated, GC objects
 *   whose refcount drops to 0 are queued (untracked, linked through their gchead) and freed by
 *   the outermost rc__dealloc loop, CPython's trashcan made total. Atoms, which hold no
 *   references, are freed at once.
 * - The order of a death follows CPython's subtype_dealloc: finalize (once for a container,
 *   at every death for an atom; may resurrect), weakrefs cleared and their callbacks called,
 *   legacy_del (may resurrect), dealloc, free. A container is tracked while its finalize or
 *   legacy_del runs, as CPython's is.
 * - A queued object (refcount 0) is reachable through no API until it is freed or, from
 *   its own finalizer, resurrected (weakref.c reports its weakrefs dead).
 * - A tracked object is on generation 0's list from rc_new on; rc__track/rc__untrack keep
 *   o->gen and the list in step (internal.h).
 */
#include <stdlib.h>

#include "internal.h"

size_t rc__instance_size(const rc_object *o)
{
	return o->type->instance_size ? o->type->instance_size(o) : o->type->size;
}

rc_object *rc_new(rc_runtime *rt, const rc_type *type, size_t extra)
{
	if (!type || type->size < sizeof(rc_object) || extra > SIZE_MAX / 2)
		return NULL;
	size_t n = type->size + extra;
	rc_object *o;
	if (IS_GC_TYPE(type)) {
		if (!type->traverse)
			return NULL;
		gchead *g = rc__mem_alloc(rt, sizeof(gchead) + n);
		if (!g)
			return NULL;
		memset(g, 0, sizeof(gchead) + n);
		o = FROM_GC(g);
		o->refcnt = 1;
		o->gen = RC__GEN_NONE;
		o->type = type;
		rc__gc_on_alloc(rt); /* may collect: o is not tracked yet, so it is safe */
		rc__track(rt, o);
	} else {
		o = rc__mem_alloc(rt, n);
		if (!o)
			return NULL;
		memset(o, 0, n);
		o->refcnt = 1;
		o->gen = RC__GEN_NONE;
		o->type = type;
	}
	return o;
}

/* The object is dead for good: release what it owns, then its memory. */
static inline void free_object(rc_runtime *rt, rc_object *o)
{
	const rc_type *t = o->type;
	if (t->dealloc)
		t->dealloc(rt, o);
	if (IS_GC_TYPE(t)) {
		if (rt->gens[0].count > 0)
			rt->gens[0].count--;
		if (t == &rc_list_type && rc__list_keep(rt, o))
			return;
		rc__mem_free(rt, AS_GC(o), sizeof(gchead) + rc__instance_size(o));
	} else {
		rc__mem_free(rt, o, rc__instance_size(o));
	}
}

static bool builtin_type(const rc_type *t)
{
	return t == &rc_int_type || t == &rc_float_type || t == &rc_str_type ||
	       t == &rc_array_type || t == &rc_none_type || t == &rc_list_type ||
	       t == &rc_tuple_type || t == &rc_dict_type || t == &rc_weakref_type;
}

bool rc__death_runs_user_code(const rc_object *o)
{
	const rc_type *t = o->type;
	if ((o->flags & RC__F_WEAKREFD) || t->finalize || t->legacy_del)
		return true;
	return t->dealloc && !builtin_type(t);
}

/* Runs a finalizer hook with the object temporarily alive; true if it was resurrected. A
 * container is tracked meanwhile, whether or not it was before (CPython's subtype_dealloc:
 * is_tracked(self) is true inside __del__), and stays tracked if resurrected. */
static bool call_with_life(rc_runtime *rt, rc_object *o,
			   void (*hook)(rc_runtime *, rc_object *))
{
	bool gc = IS_GC_TYPE(o->type);
	if (gc && o->gen == RC__GEN_NONE)
		rc__track(rt, o);
	o->refcnt = 1;
	hook(rt, o);
	if (--o->refcnt == 0) {
		if (gc && o->gen != RC__GEN_NONE)
			rc__untrack(o);
		return false;
	}
	o->flags &= (uint8_t)~RC__F_WASTRACKED;
	return true;
}

/* RC_RUNTIME_FREE_ALL's teardown: a death runs no finalizer, legacy_del or callback. */
static void dealloc_quietly(rc_runtime *rt, rc_object *o)
{
	if (o->flags & RC__F_WEAKREFD)
		rc__weakrefs_clear_silently(rt, o);
	free_object(rt, o);
}

/* A death with more to do than dealloc and free: a finalizer, weakrefs, a legacy finalizer,
 * or the teardown's quiet form. */
__attribute__((noinline)) static void dealloc_involved(rc_runtime *rt, rc_object *o)
{
	const rc_type *t = o->type;
	if (rt->tearing_down) {
		dealloc_quietly(rt, o);
		return;
	}
	/* PEP 442 marks only containers finalized: an atom's finalizer runs at each death */
	if (t->finalize && !(o->flags & RC__F_FINALIZED)) {
		RC__USER_CODE(rt, "a finalizer");
		if (IS_GC_TYPE(t))
			o->flags |= RC__F_FINALIZED;
		if (call_with_life(rt, o, t->finalize))
			return;
	}
	if (o->flags & RC__F_WEAKREFD) {
		o->refcnt = 1; /* callbacks may look around; nothing may keep it */
		rc__weakrefs_on_death(rt, o);
		if (--o->refcnt != 0) { /* resurrected from a callback: allowed, like a finalizer */
			if ((o->flags & RC__F_WASTRACKED) && o->gen == RC__GEN_NONE)
				rc__track(rt, o);
			return;
		}
	}
	if (t->legacy_del) {
		RC__USER_CODE(rt, "a legacy finalizer");
		if (call_with_life(rt, o, t->legacy_del))
			return;
	}
	if (t->dealloc && !builtin_type(t))
		RC__USER_CODE(rt, "a dealloc hook");
	free_object(rt, o);
}

/* Most deaths are of objects with no finalizer to run and no weakref: those are the dealloc
 * hook and the free, inline here; the rest take dealloc_involved. */
static inline void dealloc_one(rc_runtime *rt, rc_object *o)
{
	const rc_type *t = o->type;
	if (__builtin_expect(rt->tearing_down || (o->flags & RC__F_WEAKREFD) || t->legacy_del ||
				     (t->finalize && !(o->flags & RC__F_FINALIZED)),
			     0)) {
		dealloc_involved(rt, o);
		return;
	}
	if (t->dealloc && !builtin_type(t))
		RC__USER_CODE(rt, "a dealloc hook");
	free_object(rt, o);
}

void rc__dealloc(rc_runtime *rt, rc_object *o)
{
	if (o == &rt->none) { /* an extra decref of None: keep it alive rather than crash */
		o->refcnt = 1;
		return;
	}
	if (!IS_GC_TYPE(o->type)) {
		dealloc_one(rt, o);
		return;
	}
	if (o->gen != RC__GEN_NONE) {
		o->flags |= RC__F_WASTRACKED;
		rc__untrack(o);
	}
	if (rt->deallocating) { /* inside another object's death: wait in the queue */
		gchead *g = AS_GC(o);
		g->next = rt->dealloc_queue;
		rt->dealloc_queue = g;
		return;
	}
	rt->deallocating = 1;
	dealloc_one(rt, o);
	if (rt->dealloc_queue)
		rc__dealloc_drain(rt);
	else
		rt->deallocating = 0;
}

void rc__dealloc_drain(rc_runtime *rt)
{
	rt->deallocating = 1;
	while (rt->dealloc_queue) {
		gchead *g = rt->dealloc_queue;
		rt->dealloc_queue = g->next;
		g->next = NULL;
		dealloc_one(rt, FROM_GC(g));
	}
	rt->deallocating = 0;
}
