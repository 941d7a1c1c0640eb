/* gc.c - the generational cycle collector (CPython 3.13's algorithm) and the gc API.
 *
 * A collection of generation g, in named phases (CPython's gc_collect_main):
 *   merge_younger      gens 0..g become one list, `young`
 *   subtract_refs      each refcount in young drops by the references from inside young
 *   move_unreachable   what still has a count > 0 is reachable, and so is all it reaches;
 *                      the rest moves to `unreachable` (CPython's BFS with O(1) extra memory)
 *   free_plain_garbage garbage made only of lists, tuples and dicts (no weakref) is freed
 *                      here and then, the rest of the phases having nothing to do for it
 *   restore_refs       refcounts are true again before any user code runs
 *   move_legacy_finalizers   legacy_del objects and all they reach stay (uncollectable)
 *   handle_weakrefs    weakrefs to garbage cleared, callbacks of surviving weakrefs called
 *   finalize_garbage   PEP 442 finalizers, each at most once
 *   handle_resurrected the same deduction inside the garbage: what a finalizer made
 *                      reachable again survives, with all it reaches
 *   delete_garbage     clear() on the rest breaks the cycles; refcounting frees them
 *
 * Invariants:
 * - The collector refers to the set it examines by generation label: during the first
 *   deduction an object is in the set iff o->gen <= g (frozen objects are 3, untracked 0xFF);
 *   the garbage then carries GEN_UNREACH. Survivors are relabelled before user code runs.
 * - The collector lowers real refcounts (QuickJS's way, so no extra word per object) and
 *   restores them before the first finalizer, callback or clear can run (plain garbage, which
 *   runs none, is freed without restoring them).
 * - rc__gc_verify checks the list and label invariants between collections.
 * - rt->collecting guards against re-entry: a collection requested from a finalizer or a
 *   callback returns 0 and does nothing (CPython's rule).
 * - Nothing here allocates except the garbage list appends and the API's result lists; an
 *   allocation failure there leaves the object where it was and is not an error.
 */
#include <time.h>

#include "internal.h"
#include "mprof/trace.h"

typedef struct scan {
	unsigned lo, span; /* the set examined: gen in [lo, lo + span] */
	gchead *young;     /* where visit_reachable sends objects found reachable again */
} scan;

static inline bool in_set(const rc_object *o, const scan *s)
{
	return (unsigned)(uint8_t)(o->gen - s->lo) <= s->span;
}

/* Calls visit on each reference of o; lists and tuples inline it (the hot loops). */
#define TRAVERSE(o, visit, arg)                                                                 \
	do {                                                                                    \
		const rc_type *t_ = (o)->type;                                                  \
		if (t_ == &rc_list_type) {                                                      \
			rc__list *l_ = (rc__list *)(o);                                         \
			rc_object **it_ = rc__list_items(l_);                                   \
			for (size_t i_ = l_->size; i_-- > 0;)                                   \
				visit(it_[i_], arg);                                            \
		} else if (t_ == &rc_tuple_type) {                                              \
			rc__tuple *tp_ = (rc__tuple *)(o);                                      \
			for (size_t i_ = tp_->size; i_-- > 0;)                                  \
				visit(tp_->items[i_], arg);                                     \
		} else {                                                                        \
			t_->traverse((o), visit, arg);                                          \
		}                                                                               \
	} while (0)

/* Software prefetch for the passes: while object i is scanned, the first referents of object
 * i + PREFETCH_AHEAD are fetched, so that graphs whose links jump around memory do not wait
 * on one cache miss per link (the trick of CPython 3.13's free-threaded "mark alive"). */
#define PREFETCH_AHEAD 8

static inline void prefetch_kids(gchead *g)
{
	rc_object *o = FROM_GC(g);
	if (o->type == &rc_list_type) {
		rc__list *l = (rc__list *)o;
		rc_object **it = rc__list_items(l);
		if (l->size) {
			__builtin_prefetch(it[0]);
			if (l->size > 1)
				__builtin_prefetch(it[1]);
		}
	}
}

static inline gchead *ahead_of(gchead *list)
{
	gchead *a = list->next;
	for (int i = 0; i < PREFETCH_AHEAD && a != list; i++)
		a = a->next;
	return a;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t list_len(const gchead *h)
{
	size_t n = 0;
	for (const gchead *g = h->next; g != h; g = g->next)
		n++;
	return n;
}

static void relabel(gchead *h, unsigned gen)
{
	for (gchead *g = h->next; g != h; g = g->next)
		FROM_GC(g)->gen = (uint8_t)gen;
}

static FILE *debug_out(rc_runtime *rt) { return rt->debug_stream ? rt->debug_stream : stderr; }

void rc__debug_repr(FILE *f, const rc_object *o)
{
	fprintf(f, "<%s %p>", o->type->name ? o->type->name : "object", (const void *)o);
}

/* -------------------------------------------------------------------------------------------
 * The deduction */

static void visit_decref(rc_object *c, void *arg)
{
	if (c && in_set(c, arg))
		c->refcnt--;
}

/* Each refcount in `young` minus the references from inside the set. Returns its size. */
static size_t subtract_refs(gchead *young, scan *s)
{
	size_t n = 0;
	gchead *a = ahead_of(young);
	for (gchead *g = young->next; g != young; g = g->next, n++) {
		if (a != young) {
			prefetch_kids(a);
			a = a->next;
		}
		rc_object *o = FROM_GC(g);
		TRAVERSE(o, visit_decref, s);
	}
	return n;
}

static void visit_reachable(rc_object *c, void *arg)
{
	scan *s = arg;
	if (!c || !in_set(c, s))
		return;
	c->refcnt++;
	if (c->flags & RC__F_UNREACH) {
		c->flags &= (uint8_t)~(RC__F_UNREACH | RC__F_EXTREF);
		gcl_move(AS_GC(c), s->young);
	}
}

/* Moves what is unreachable from outside the set to `unreachable`; survivors stay in young
 * (tuples and, in full collections, dicts that may be untracked go to `untrack`), labelled
 * `label` on the way when it is not RC__GEN_NONE (the label must lie inside the set examined,
 * so that later visits still see them). *plain stays true while everything moved to
 * `unreachable` is a list, tuple or dict without weakrefs (a superset of the final garbage:
 * objects may move back); those of them that hold a buffer or a reference to an object
 * outside the set are flagged RC__F_EXTREF and put first, so that free_plain_garbage can stop
 * looking at the others. Returns the number of survivors left in young. */

/* Whether one of items[0..n) (NULL allowed) lies outside the set. */
static inline bool refers_outside(rc_object *const *items, size_t n, const scan *s)
{
	for (size_t i = 0; i < n; i++)
		if (items[i] && !in_set(items[i], s))
			return true;
	return false;
}

static size_t move_unreachable(gchead *young, gchead *unreachable, gchead *untrack, scan *s,
			       bool full, unsigned label, bool *plain)
{
	size_t survivors = 0;
	bool pl = true;
	s->young = young;
	gchead *g = young->next;
	while (g != young) {
		rc_object *o = FROM_GC(g);
		if (o->refcnt == 0) {
			gchead *next = g->next;
			const rc_type *t = o->type;
			bool work = true;
			if (t == &rc_list_type) {
				rc__list *l = (rc__list *)o;
				work = l->cap > 1 || refers_outside(rc__list_items(l), l->size, s);
			} else if (t == &rc_tuple_type) {
				rc__tuple *tp = (rc__tuple *)o;
				work = refers_outside(tp->items, tp->size, s);
			} else if (t != &rc_dict_type) {
				pl = false;
			}
			if (o->flags & RC__F_WEAKREFD)
				pl = false;
			o->flags |= RC__F_UNREACH;
			gcl_unlink(g);
			if (plain && work) {
				o->flags |= RC__F_EXTREF;
				gcl_prepend(g, unreachable);
			} else {
				gcl_append(g, unreachable);
			}
			g = next;
			continue;
		}
		TRAVERSE(o, visit_reachable, s);
		if (label != RC__GEN_NONE)
			o->gen = (uint8_t)label;
		if (untrack && ((o->type == &rc_tuple_type && rc__tuple_may_untrack(o)) ||
				(full && o->type == &rc_dict_type && rc__dict_may_untrack(o)))) {
			gchead *next = g->next;
			gcl_move(g, untrack);
			g = next;
			continue;
		}
		survivors++;
		g = g->next;
	}
	if (plain)
		*plain = pl;
	return survivors;
}

static void visit_restore(rc_object *c, void *arg)
{
	if (c && (in_set(c, arg) || c->gen == GEN_UNREACH))
		c->refcnt++;
}

/* What the garbage needs beyond clear(), noted while restore_refs walks it. */
enum { NEED_LEGACY = 1, NEED_WEAKREFS = 2, NEED_FINALIZE = 4 };

/* Gives back the references the garbage holds, labels it GEN_UNREACH, counts it, and notes
 * which of the later phases have anything to do (the others are skipped). */
static size_t restore_refs(gchead *unreachable, scan *s, unsigned *needs)
{
	size_t n = 0;
	unsigned need = 0;
	gchead *a = ahead_of(unreachable);
	for (gchead *g = unreachable->next; g != unreachable; g = g->next, n++) {
		if (a != unreachable) {
			prefetch_kids(a);
			a = a->next;
		}
		rc_object *o = FROM_GC(g);
		const rc_type *t = o->type;
		o->flags &= (uint8_t)~(RC__F_UNREACH | RC__F_EXTREF);
		o->gen = GEN_UNREACH;
		if (t->legacy_del)
			need |= NEED_LEGACY;
		if (t == &rc_weakref_type || (o->flags & RC__F_WEAKREFD))
			need |= NEED_WEAKREFS;
		if (t->finalize && !(o->flags & RC__F_FINALIZED))
			need |= NEED_FINALIZE;
		TRAVERSE(o, visit_restore, s);
	}
	if (needs)
		*needs = need;
	return n;
}

/* -------------------------------------------------------------------------------------------
 * Garbage handling */

static void move_legacy_finalizers(gchead *unreachable, gchead *finalizers, unsigned target)
{
	gchead *g = unreachable->next;
	while (g != unreachable) {
		gchead *next = g->next;
		rc_object *o = FROM_GC(g);
		if (o->type->legacy_del) {
			o->gen = (uint8_t)target;
			gcl_move(g, finalizers);
		}
		g = next;
	}
}

typedef struct {
	gchead *finalizers;
	unsigned target;
} legacy_ctx;

static void visit_move_legacy(rc_object *c, void *arg)
{
	legacy_ctx *lc = arg;
	if (c && c->gen == GEN_UNREACH) {
		c->gen = (uint8_t)lc->target;
		gcl_move(AS_GC(c), lc->finalizers);
	}
}

/* Everything reachable from a legacy finalizer survives with it. */
static void move_legacy_finalizer_reachable(gchead *finalizers, unsigned target)
{
	legacy_ctx lc = {finalizers, target};
	for (gchead *g = finalizers->next; g != finalizers; g = g->next) {
		rc_object *o = FROM_GC(g);
		TRAVERSE(o, visit_move_legacy, &lc);
	}
}

/* CPython 3.13's handle_weakrefs: every weakref that is garbage is cleared, every weakref to
 * garbage is cleared, and those that are not garbage themselves get their callback, now,
 * before any finalizer. */
static bool handle_weakrefs(rc_runtime *rt, gchead *unreachable)
{
	rc__wrqueue q = {NULL, NULL};
	for (gchead *g = unreachable->next; g != unreachable; g = g->next) {
		rc_object *o = FROM_GC(g);
		if (o->type == &rc_weakref_type)
			rc__weakref_detach(rt, o);
		if (o->flags & RC__F_WEAKREFD)
			rc__weakrefs_clear_for_gc(rt, o, &q);
	}
	bool any = q.head != NULL;
	rc__weakref_call_pending(rt, &q);
	return any;
}

/* PEP 442: each finalizer once; objects may die (and leave the list) meanwhile. */
static bool finalize_garbage(rc_runtime *rt, gchead *unreachable)
{
	bool any = false;
	gchead seen;
	gcl_init(&seen);
	while (!gcl_empty(unreachable)) {
		gchead *g = unreachable->next;
		rc_object *o = FROM_GC(g);
		gcl_move(g, &seen);
		if (o->type->finalize && !(o->flags & RC__F_FINALIZED)) {
			o->flags |= RC__F_FINALIZED;
			rc_incref(o);
			o->type->finalize(rt, o);
			rc_decref(rt, o);
			any = true;
		}
	}
	gcl_merge(&seen, unreachable);
	return any;
}

/* Deduces again inside the garbage: what finalizers made reachable goes to `old`; the rest
 * moves to final. */
static void handle_resurrected(gchead *unreachable, gchead *final, gchead *old, unsigned target)
{
	scan s = {GEN_UNREACH, 0, NULL};
	subtract_refs(unreachable, &s);
	move_unreachable(unreachable, final, NULL, &s, false, RC__GEN_NONE, NULL);
	restore_refs(final, &s, NULL);
	relabel(unreachable, target);
	gcl_merge(unreachable, old);
}

static void append_garbage(rc_runtime *rt, rc_object *o)
{
	if (!rt->garbage)
		rt->garbage = rc_list_new(rt);
	if (rt->garbage)
		rc_list_append(rt, rt->garbage, o); /* out of memory: it survives unlisted */
}

static void visit_prefetch(rc_object *c, void *arg)
{
	(void)arg;
	if (c)
		__builtin_prefetch(c);
}

static void visit_prefetch_items(rc_object *c, void *arg)
{
	(void)arg;
	if (c && c->type == &rc_list_type && ((rc__list *)c)->cap > 1)
		__builtin_prefetch(((rc__list *)c)->u.items);
}

#define DELETE_CHUNK 16

/* Breaks the cycles: clear() on each object, whose references then drop and free the
 * garbage by refcounting. Objects are taken DELETE_CHUNK at a time and held while their chunk
 * is cleared, so that the referents of a whole chunk can be prefetched first (one object's
 * clear frees others far away in memory). An object that outlives its own clear moves to
 * `old`, as in CPython. */
static void delete_garbage(rc_runtime *rt, gchead *final, gchead *old, unsigned target)
{
	rc_object *chunk[DELETE_CHUNK];
	while (!gcl_empty(final)) {
		if (rt->debug & RC_GC_DEBUG_SAVEALL) {
			gchead *g = final->next;
			rc_object *o = FROM_GC(g);
			append_garbage(rt, o);
			o->gen = (uint8_t)target;
			gcl_move(g, old);
			continue;
		}
		int k = 0;
		for (gchead *g = final->next; g != final && k < DELETE_CHUNK; g = g->next) {
			rc_object *o = FROM_GC(g);
			chunk[k++] = rc_incref(o);
			TRAVERSE(o, visit_prefetch, NULL);
		}
		for (int i = 0; i < k; i++)
			TRAVERSE(chunk[i], visit_prefetch_items, NULL);
		for (int i = 0; i < k; i++)
			if (chunk[i]->type->clear)
				chunk[i]->type->clear(rt, chunk[i]);
		for (int i = 0; i < k; i++) {
			rc_object *o = chunk[i];
			if (o->refcnt > 1 && o->gen == GEN_UNREACH) { /* outlived its clear */
				o->gen = (uint8_t)target;
				gcl_move(AS_GC(o), old);
			}
			rc_decref(rt, o);
		}
	}
}

/* The fast path for plain garbage (lists, tuples and dicts, no weakref: nothing in it has a
 * finalizer, and their clear() drops every reference), taken right after move_unreachable
 * while the counts of the examined set are still lowered. Clearing them one by one and letting
 * refcounting free them (CPython's way) would free exactly all of them and release their
 * references to objects outside the set; so that is all this does, in two passes, QuickJS's
 * gc_free_cycles way: first every reference to an object outside the set is released (those
 * inside need nothing: their counts no longer matter, or were lowered for exactly this
 * reference and stay lowered), then every block is freed. No code outside the collector can
 * reach the garbage meanwhile: nothing outside the set refers to it. The first pass stops at
 * the first object move_unreachable did not flag RC__F_EXTREF (those come first): the others
 * hold nothing to release. Returns its size. */
static bool outside_set(const rc_object *o, const void *arg) { return !in_set(o, arg); }

static size_t free_plain_garbage(rc_runtime *rt, gchead *garbage, scan *s)
{
	size_t n = 0;
	int was = rt->deallocating;
	rt->deallocating = 1; /* outside objects that die meanwhile wait in the queue */
	for (gchead *g = garbage->next; g != garbage; g = g->next) {
		rc_object *o = FROM_GC(g);
		if (!(o->flags & RC__F_EXTREF))
			break;
		if (o->type == &rc_list_type) {
			rc__list *l = (rc__list *)o;
			rc_object **it = rc__list_items(l);
			for (size_t i = 0; i < l->size; i++)
				if (!in_set(it[i], s))
					rc_decref(rt, it[i]);
			if (l->cap > 1)
				rc__mem_free(rt, l->u.items, l->cap * sizeof *l->u.items);
		} else if (o->type == &rc_tuple_type) {
			rc__tuple *t = (rc__tuple *)o;
			for (size_t i = 0; i < t->size; i++)
				if (t->items[i] && !in_set(t->items[i], s))
					rc_decref(rt, t->items[i]);
		} else {
			rc__dict_release(rt, o, outside_set, s);
		}
	}
	gchead *g = garbage->next;
	while (g != garbage) {
		gchead *next = g->next;
		const rc_object *o = FROM_GC(g);
		size_t size = o->type == &rc_tuple_type ? rc__instance_size(o) : o->type->size;
		rc__mem_free(rt, g, sizeof(gchead) + size);
		g = next;
		n++;
	}
	gcl_init(garbage);
	rt->deallocating = was;
	if (!was)
		rc__dealloc_drain(rt);
	return n;
}

/* -------------------------------------------------------------------------------------------
 * The collection */

static void invoke_callbacks(rc_runtime *rt, rc_gc_phase phase, const rc_gc_info *info)
{
	if (rt->shutting_down)
		return;
	for (size_t i = 0; i < rt->ncallbacks; i++) { /* re-read: a callback may add or remove */
		struct gc_callback c = rt->callbacks[i];
		c.fn(rt, phase, info, c.ud);
	}
}

static void print_generation_sizes(rc_runtime *rt)
{
	FILE *f = debug_out(rt);
	fprintf(f, "gc: objects in each generation: %zu %zu %zu\n", list_len(&rt->gens[0].head),
		list_len(&rt->gens[1].head), list_len(&rt->gens[2].head));
	fprintf(f, "gc: objects in permanent generation: %zu\n", list_len(&rt->frozen));
}

static long collect_main(rc_runtime *rt, int gen)
{
	if (rt->collecting)
		return 0;
	rt->collecting = 1;
	unsigned g = (unsigned)gen;
	double t0 = now();
	rc_gc_info info = {.generation = gen, .candidates = 0};
	invoke_callbacks(rt, RC_GC_START, &info);
	mprof_gc_start(gen);
	if (rt->debug & RC_GC_DEBUG_STATS) {
		fprintf(debug_out(rt), "gc: collecting generation %d...\n", gen);
		print_generation_sizes(rt);
	}

	/* merge_younger */
	if (g + 1 < RC_GC_GENERATIONS)
		rt->gens[g + 1].count++;
	for (unsigned i = 0; i <= g; i++)
		rt->gens[i].count = 0;
	gchead *young = &rt->gens[g].head;
	for (unsigned i = 0; i < g; i++) /* labels 0..g-1 are inside the set: no relabelling */
		gcl_merge(&rt->gens[i].head, young);
	unsigned target = g + 1 < RC_GC_GENERATIONS ? g + 1 : g;
	gchead *old = &rt->gens[target].head;

	/* deduce_unreachable. The set examined is labelled 0..g. A full collection labels its
	 * survivors 2 as it finds them (2 is inside its set); a younger one cannot do so, since the
	 * older generation's own objects must stay outside its set (one that only garbage refers to
	 * must see that reference dropped, and die), so it relabels them after. */
	gchead unreachable, untrack;
	gcl_init(&unreachable);
	gcl_init(&untrack);
	scan s = {0, g, NULL};
	size_t candidates = subtract_refs(young, &s);
	bool plain;
	size_t survivors = move_unreachable(young, &unreachable, &untrack, &s, g == 2,
					    g == 2 ? target : RC__GEN_NONE, &plain);
	unsigned needs = 0;
	size_t m;
	if (plain && !(rt->debug & (RC_GC_DEBUG_SAVEALL | RC_GC_DEBUG_COLLECTABLE))) {
		m = free_plain_garbage(rt, &unreachable, &s);
		long c0 = rt->gens[0].count - (long)m; /* PyObject_GC_Del's count0 decrement */
		rt->gens[0].count = c0 > 0 ? c0 : 0;
	} else {
		m = restore_refs(&unreachable, &s, &needs);
	}
	while (!gcl_empty(&untrack))
		rc__untrack(FROM_GC(untrack.next));

	/* survivors age */
	if (g == 1)
		rt->long_lived_pending += survivors;
	if (g == 2) {
		rt->long_lived_pending = 0;
		rt->long_lived_total = survivors;
	} else {
		relabel(young, target);
		gcl_merge(young, old);
	}

	gchead finalizers, final;
	gcl_init(&finalizers);
	gcl_init(&final);
	if (needs & NEED_LEGACY) {
		move_legacy_finalizers(&unreachable, &finalizers, target);
		move_legacy_finalizer_reachable(&finalizers, target);
		m = list_len(&unreachable);
	}
	if (rt->debug & RC_GC_DEBUG_COLLECTABLE) {
		FILE *f = debug_out(rt);
		for (gchead *p = unreachable.next; p != &unreachable; p = p->next) {
			fputs("gc: collectable ", f);
			rc__debug_repr(f, FROM_GC(p));
			fputc('\n', f);
		}
	}
	/* Resurrection needs user code: without a finalizer or a weakref callback run, the
	 * garbage is exactly what restore_refs counted and the second deduction is skipped. */
	bool ran = false;
	if (needs & NEED_WEAKREFS)
		ran |= handle_weakrefs(rt, &unreachable);
	if (needs & NEED_FINALIZE)
		ran |= finalize_garbage(rt, &unreachable);
	if (ran) {
		handle_resurrected(&unreachable, &final, old, target);
		m = list_len(&final);
	} else {
		gcl_merge(&unreachable, &final);
	}
	delete_garbage(rt, &final, old, target);

	/* handle_legacy_finalizers */
	size_t n = 0;
	for (gchead *p = finalizers.next; p != &finalizers; p = p->next) {
		rc_object *o = FROM_GC(p);
		n++;
		if (rt->debug & RC_GC_DEBUG_UNCOLLECTABLE) {
			FILE *f = debug_out(rt);
			fputs("gc: uncollectable ", f);
			rc__debug_repr(f, o);
			fputc('\n', f);
		}
		if (o->type->legacy_del || (rt->debug & RC_GC_DEBUG_SAVEALL))
			append_garbage(rt, o);
	}
	gcl_merge(&finalizers, old);

	double dt = now() - t0;
	rc_gc_stats *st = &rt->stats[g];
	st->collections++;
	st->collected += m;
	st->uncollectable += n;
	st->candidates += candidates;
	st->duration += dt;
	if (rt->debug & RC_GC_DEBUG_STATS)
		fprintf(debug_out(rt), "gc: done, %zu unreachable, %zu uncollectable, %.4fs elapsed\n",
			m + n, n, dt);
	info.collected = (long)m;
	info.uncollectable = (long)n;
	info.candidates = (long)candidates;
	info.duration = dt;
	mprof_gc_stop(gen, (long)m, (long)n, (long)candidates);
	invoke_callbacks(rt, RC_GC_STOP, &info);
	rt->collecting = 0;
	return (long)(m + n);
}

/* The automatic choice: the oldest generation over its threshold, the oldest only under the
 * 25% rule (pending long-lived objects above a quarter of those that survived the last full
 * collection), so that full collections stay amortized linear. */
static long collect_generations(rc_runtime *rt)
{
	for (int i = RC_GC_GENERATIONS - 1; i >= 0; i--) {
		if (i > 0 && rt->gens[i].count <= rt->gens[i].threshold)
			continue;
		if (i == RC_GC_GENERATIONS - 1 && rt->long_lived_pending < rt->long_lived_total / 4)
			continue;
		return collect_main(rt, i);
	}
	return 0;
}

void rc__gc_on_alloc(rc_runtime *rt)
{
	struct gen *g0 = &rt->gens[0];
	g0->count++;
#ifdef RCGC_STRESS
	bool due = g0->threshold > 0; /* the stress build: every allocation collects */
#else
	bool due = g0->count > g0->threshold && g0->threshold > 0;
#endif
	if (!due || !rt->enabled || rt->collecting)
		return;
	if (rt->flags & RC_RUNTIME_DEFERRED_GC)
		rt->gc_due = 1;
	else
		collect_generations(rt);
}

/* Checks the invariants of internal.h outside a collection: every list is well linked, every
 * object on generation i's list says i (frozen: GEN_FROZEN), no collector flag is left set,
 * the dealloc queue is empty. Returns 0 or the number of the first broken rule. */
int rc__gc_verify(const rc_runtime *rt)
{
	if (rt->collecting || rt->deallocating || rt->dealloc_queue)
		return rt->collecting ? 0 : 1;
	for (unsigned i = 0; i <= RC_GC_GENERATIONS; i++) {
		const gchead *h = i < RC_GC_GENERATIONS ? &rt->gens[i].head : &rt->frozen;
		unsigned want = i < RC_GC_GENERATIONS ? i : GEN_FROZEN;
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
		if (h->prev != prev)
			return 2;
	}
	return 0;
}

/* -------------------------------------------------------------------------------------------
 * The gc API */

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
	return collect_main(rt, generation);
}

long rc_gc_safepoint(rc_runtime *rt)
{
	if (!rt->gc_due || rt->collecting)
		return 0;
	rt->gc_due = 0;
	if (!rt->enabled)
		return 0;
	return collect_generations(rt);
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
		relabel(&rt->gens[i].head, GEN_FROZEN);
		gcl_merge(&rt->gens[i].head, &rt->frozen);
		rt->gens[i].count = 0;
	}
}

void rc_gc_unfreeze(rc_runtime *rt)
{
	relabel(&rt->frozen, RC_GC_GENERATIONS - 1);
	gcl_merge(&rt->frozen, &rt->gens[RC_GC_GENERATIONS - 1].head);
}

size_t rc_gc_get_freeze_count(const rc_runtime *rt) { return list_len(&rt->frozen); }

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
