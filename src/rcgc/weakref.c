/* weakref.c - weak references and the table that finds them from their target.
 *
 * Invariants:
 * - A target with weakrefs has RC__F_WEAKREFD set and exactly one slot in rt->weak (open
 *   addressing, linear probing, at most half full) holding the newest weakref; the weakrefs
 *   to one target form a doubly linked chain through wnext/wprev, newest first.
 * - A cleared weakref has target NULL and is on no chain. It never becomes live again.
 * - Callbacks run with the weakref held by a new reference, so one callback cannot free a
 *   weakref whose callback is still to come.
 * - A target whose refcount is 0 (waiting in the dealloc queue) reads as dead.
 * - At most one live weakref to a target has neither callback nor data: rc_weakref_new hands
 *   it out again (CPython's shared basic ref).
 */
#include "internal.h"

typedef struct weakref {
	rc_object ob;
	rc_object *target; /* borrowed; NULL once cleared */
	rc_weakref_cb cb;
	rc_object *cb_data;
	struct weakref *wnext, *wprev;
} weakref;

static uint64_t ptr_hash(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	return x ^ (x >> 33);
}

static struct weak_slot *slot_find(const rc_runtime *rt, const rc_object *t)
{
	if (!rt->weak_cap)
		return NULL;
	size_t mask = rt->weak_cap - 1;
	for (size_t i = ptr_hash(t) & mask;; i = (i + 1) & mask) {
		struct weak_slot *s = &rt->weak[i];
		if (!s->target)
			return NULL;
		if (s->target == t)
			return s;
	}
}

/* Room for one more target, so that the insertion after it cannot fail. */
static int slot_reserve(rc_runtime *rt)
{
	if ((rt->weak_used + 1) * 2 <= rt->weak_cap)
		return RC_OK;
	size_t ncap = rt->weak_cap ? rt->weak_cap * 2 : 16;
	struct weak_slot *ns = rc__mem_alloc(rt, ncap * sizeof *ns);
	if (!ns)
		return RC_ENOMEM;
	memset(ns, 0, ncap * sizeof *ns);
	for (size_t i = 0; i < rt->weak_cap; i++) {
		struct weak_slot *s = &rt->weak[i];
		if (!s->target)
			continue;
		size_t j = ptr_hash(s->target) & (ncap - 1);
		while (ns[j].target)
			j = (j + 1) & (ncap - 1);
		ns[j] = *s;
	}
	rc__mem_free(rt, rt->weak, rt->weak_cap * sizeof *rt->weak);
	rt->weak = ns;
	rt->weak_cap = ncap;
	return RC_OK;
}

static struct weak_slot *slot_insert(rc_runtime *rt, rc_object *t)
{
	size_t mask = rt->weak_cap - 1, i = ptr_hash(t) & mask;
	while (rt->weak[i].target)
		i = (i + 1) & mask;
	rt->weak[i].target = t;
	rt->weak_used++;
	return &rt->weak[i];
}

/* Backward-shift deletion: no tombstones. */
static void slot_remove(rc_runtime *rt, struct weak_slot *s)
{
	size_t mask = rt->weak_cap - 1, i = (size_t)(s - rt->weak);
	for (size_t j = (i + 1) & mask; rt->weak[j].target; j = (j + 1) & mask) {
		size_t home = ptr_hash(rt->weak[j].target) & mask;
		/* j's entry may move to i if its home is not in (i, j] (cyclically) */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			rt->weak[i] = rt->weak[j];
			i = j;
		}
	}
	rt->weak[i].target = NULL;
	rt->weak[i].head = NULL;
	rt->weak_used--;
}

rc_object *rc__weak_chain(const rc_runtime *rt, const rc_object *target)
{
	if (!(target->flags & RC__F_WEAKREFD))
		return NULL;
	struct weak_slot *s = slot_find(rt, target);
	return s ? s->head : NULL;
}

/* Takes wr off its target's chain and clears it; no callback. */
void rc__weakref_detach(rc_runtime *rt, rc_object *o)
{
	weakref *wr = (weakref *)o;
	rc_object *t = wr->target;
	if (!t)
		return;
	if (wr->wprev) {
		wr->wprev->wnext = wr->wnext;
	} else {
		struct weak_slot *s = slot_find(rt, t);
		assert(s && s->head == o);
		if (wr->wnext) {
			s->head = &wr->wnext->ob;
		} else {
			slot_remove(rt, s);
			t->flags &= (uint8_t)~RC__F_WEAKREFD;
		}
	}
	if (wr->wnext)
		wr->wnext->wprev = wr->wprev;
	wr->wnext = wr->wprev = NULL;
	wr->target = NULL;
}

static void weakref_traverse(rc_object *self, rc_visit_fn visit, void *arg)
{
	weakref *wr = (weakref *)self;
	if (wr->cb_data)
		visit(wr->cb_data, arg);
}

static void weakref_clear(rc_runtime *rt, rc_object *self)
{
	weakref *wr = (weakref *)self;
	rc__weakref_detach(rt, self);
	wr->cb = NULL;
	rc_object *d = wr->cb_data;
	wr->cb_data = NULL;
	rc_xdecref(rt, d);
}

const rc_type rc_weakref_type = {
	.name = "weakref",
	.size = sizeof(weakref),
	.flags = RC_TYPE_GC,
	.traverse = weakref_traverse,
	.clear = weakref_clear,
	.dealloc = weakref_clear,
};

rc_object *rc_weakref_new(rc_runtime *rt, rc_object *target, rc_weakref_cb cb, rc_object *cb_data)
{
	if (!target || target == &rt->none)
		return NULL;
	if (!cb && !cb_data) { /* CPython shares the callback-less weakref to an object */
		for (weakref *w = (weakref *)rc__weak_chain(rt, target); w; w = w->wnext)
			if (!w->cb && !w->cb_data && w->ob.refcnt > 0)
				return rc_incref(&w->ob);
	}
	weakref *wr = (weakref *)rc_new(rt, &rc_weakref_type, 0);
	if (!wr)
		return NULL;
	struct weak_slot *s = slot_find(rt, target);
	if (!s) {
		if (slot_reserve(rt) != RC_OK) {
			rc_decref(rt, &wr->ob);
			return NULL;
		}
		s = slot_insert(rt, target);
		target->flags |= RC__F_WEAKREFD;
	}
	wr->target = target;
	wr->cb = cb;
	wr->cb_data = cb_data ? rc_incref(cb_data) : NULL;
	wr->wnext = (weakref *)s->head;
	if (wr->wnext)
		wr->wnext->wprev = wr;
	s->head = &wr->ob;
	return &wr->ob;
}

rc_object *rc_weakref_get(const rc_object *o)
{
	if (!o || o->type != &rc_weakref_type)
		return NULL;
	rc_object *t = ((const weakref *)o)->target;
	/* a target whose count reached 0 waits in the dealloc queue: already dead (CPython's
	 * _PyWeakref_GET_REF checks the same) */
	return t && t->refcnt > 0 ? t : NULL;
}

size_t rc_weakref_count(rc_runtime *rt, const rc_object *target)
{
	size_t n = 0;
	for (weakref *w = (weakref *)rc__weak_chain(rt, target); w; w = w->wnext)
		n++;
	return n;
}

/* Clears the whole chain of o (already off the table); the weakrefs that get a callback are
 * returned as a queue, each with a new reference. */
static void clear_chain(rc_object *head, rc__wrqueue *q, bool skip_unreachable)
{
	weakref *w = (weakref *)head;
	while (w) {
		weakref *next = w->wnext;
		w->target = NULL;
		w->wnext = w->wprev = NULL;
		/* A weakref with refcount 0 is itself waiting in the dealloc queue: no callback
		 * (CPython's PyObject_ClearWeakRefs skips those too), and no reference may be taken. */
		if (w->cb && w->ob.refcnt > 0 && !(skip_unreachable && w->ob.gen == GEN_UNREACH)) {
			rc_incref(&w->ob);
			if (q->tail)
				((weakref *)q->tail)->wnext = w;
			else
				q->head = &w->ob;
			q->tail = &w->ob;
		}
		w = next;
	}
}

static rc_object *take_chain(rc_runtime *rt, rc_object *o)
{
	struct weak_slot *s = slot_find(rt, o);
	o->flags &= (uint8_t)~RC__F_WEAKREFD;
	if (!s)
		return NULL;
	rc_object *head = s->head;
	slot_remove(rt, s);
	return head;
}

static weakref *queue_pop(rc__wrqueue *q)
{
	weakref *w = (weakref *)q->head, *n = w->wnext;
	q->head = n ? &n->ob : NULL;
	if (!n)
		q->tail = NULL;
	w->wnext = NULL;
	return w;
}

void rc__weakref_call_pending(rc_runtime *rt, rc__wrqueue *q)
{
	while (q->head) {
		weakref *w = queue_pop(q);
		if (w->cb) {
			RC__USER_CODE(rt, "a weakref callback");
			w->cb(rt, &w->ob, w->cb_data);
		}
		rc_decref(rt, &w->ob);
	}
}

size_t rc__weakref_call_pending_gc(rc_runtime *rt, rc__wrqueue *q, gchead *old, unsigned label)
{
	size_t freed = 0;
	while (q->head) {
		weakref *w = queue_pop(q);
		if (w->cb) {
			RC__USER_CODE(rt, "a weakref callback");
			w->cb(rt, &w->ob, w->cb_data);
		}
		if (w->ob.refcnt == 1) { /* ours was the last reference: it dies now */
			freed++;
		} else if (w->ob.gen != RC__GEN_NONE && w->ob.gen != GEN_UNREACH) {
			gcl_move(AS_GC(&w->ob), old);
			w->ob.gen = (uint8_t)label;
		}
		rc_decref(rt, &w->ob);
	}
	return freed;
}

void rc__weakrefs_on_death(rc_runtime *rt, rc_object *o)
{
	rc__wrqueue q = {NULL, NULL};
	clear_chain(take_chain(rt, o), &q, false);
	rc__weakref_call_pending(rt, &q);
}

void rc__weakrefs_clear_for_gc(rc_runtime *rt, rc_object *o, rc__wrqueue *q)
{
	clear_chain(take_chain(rt, o), q, true);
}

void rc__weakrefs_clear_silently(rc_runtime *rt, rc_object *o)
{
	rc__wrqueue q = {NULL, NULL};
	clear_chain(take_chain(rt, o), &q, false);
	while (q.head) { /* the callbacks are not called: only the references taken dropped */
		weakref *w = queue_pop(&q);
		rc_decref(rt, &w->ob);
	}
}
