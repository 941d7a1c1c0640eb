/* gc.c - the generational cycle collector (CPython 3.13's algorithm): one collection, as a
 * short driver (rc__gc_collect) over named phases. The gc API is gcmodule.c's.
 *
 * A collection of generation g, in the driver's order (CPython's gc_collect_main):
 *   start_collection     "start" callbacks, mprof's gc_start, DEBUG_STATS
 *   merge_younger        gens 0..g become one list, `young`
 *   deduce_unreachable   subtract_refs: each refcount in young drops by the references from
 *                        inside young; move_unreachable: what still has a count > 0 is
 *                        reachable, and so is all it reaches; the rest moves to `unreachable`
 *                        (CPython's BFS with O(1) extra memory)
 *   free_plain_garbage   garbage made only of lists, tuples and dicts (no weakref), whose
 *                        release runs no user code, is freed here and then, the phases below
 *                        marked * having nothing to do for it (what its release kills waits in
 *                        the dealloc queue);
 *   or restore_garbage_refs  refcounts are true again
 *   untrack_survivors    tuples, then dicts, that can no longer be in a cycle are untracked
 *   age_survivors        survivors join generation g+1; the 25% rule's counts
 *                        ---- from here on user code may run ----
 *   release_deferred     (plain garbage) the deaths its release caused, in the dealloc queue
 *   move_legacy_finalizers *   legacy_del objects and all they reach stay (uncollectable)
 *   debug_collectable *  DEBUG_COLLECTABLE
 *   handle_weakrefs *    weakrefs to garbage cleared, callbacks of surviving weakrefs called
 *   finalize_garbage *   PEP 442 finalizers, each at most once
 *   handle_resurrected * the same deduction inside the garbage: what a finalizer made
 *                        reachable again survives, with all it reaches
 *   delete_garbage *     clear() on each object left breaks the cycles; refcounting frees
 *                        them (one clear, then the cascade, as CPython)
 *   handle_legacy_finalizers *  the uncollectable reported and kept in rc_gc_garbage
 *   finish_collection    stats, DEBUG_STATS, mprof's gc_stop, "stop" callbacks
 *
 * Invariants:
 * - NO USER CODE IN A HALF-DONE COLLECTION. No user code (finalize, legacy_del, clear, a user
 *   type's dealloc, weakref or gc callbacks) runs while the collector holds refcounts lowered,
 *   garbage half freed, or survivors on its own lists with labels user code could disturb:
 *   from deduce_unreachable to the end of age_survivors, and inside handle_resurrected's
 *   deduction, rt->unsafe is set, and the debug build aborts if user code is reached then
 *   (RC__USER_CODE). The plain-garbage path keeps it so: it is taken only when releasing the
 *   garbage's outside references can kill nothing but built-in atoms (freed at once, no code)
 *   and containers (queued, freed by release_deferred once the state is consistent).
 * - A refcount-0 object is unreachable through every API: objects waiting in the dealloc queue
 *   are untracked and their weakrefs read dead (weakref.c).
 * - The collector refers to the set it examines by generation label: during the first
 *   deduction an object is in the set iff o->gen <= g (frozen objects are 3, untracked 0xFF);
 *   the garbage then carries GEN_UNREACH. Survivors are relabelled before user code runs.
 * - The collector lowers real refcounts (QuickJS's way, so no extra word per object: there is
 *   no update_refs copying them) and restores them before the first finalizer, callback or
 *   clear can run (plain garbage is freed without restoring them, running none).
 * - Between phases every object of the set is on exactly one list: a generation's, or one of
 *   the collection's (unreachable, untrack, finalizers, final); all of the latter are empty
 *   when the driver finishes. The debug build (RCGC_DEBUG) checks this, and gccheck.c's rules
 *   over generations 0..g, on entry and on exit.
 * - rt->collecting guards against re-entry: a collection requested from a finalizer or a
 *   callback returns 0 and does nothing (CPython's rule).
 * - Nothing here allocates except the garbage list appends; an allocation failure there
 *   leaves the object where it was and is not an error.
 */
#include <stdlib.h>
#include <time.h>

#include "internal.h"
#include "mprof/trace.h"

typedef struct scan {
	unsigned lo, span; /* the set examined: gen in [lo, lo + span] */
	gchead *young;     /* where visit_reachable sends objects found reachable again */
	bool prefetch;     /* whether the passes prefetch (PREFETCH_AHEAD) */
} scan;

/* One collection's state, handed from phase to phase. */
typedef struct collection {
	rc_runtime *rt;
	unsigned gen, target; /* the generation collected; where its survivors go */
	gchead *young, *old;  /* generations 0..gen merged (the set examined); target's list */
	scan s;
	gchead unreachable;   /* garbage candidates, then the garbage (labelled GEN_UNREACH) */
	gchead untrack;       /* survivors that may be untracked (tuples, dicts) */
	gchead finalizers;    /* legacy finalizers and all they reach: uncollectable */
	gchead final;         /* the garbage delete_garbage clears */
	unsigned needs;       /* NEED_*: which phases after restore_refs have work */
	bool plain;           /* move_unreachable found only plain garbage (see free_plain_garbage) */
	int was_deallocating; /* rt->deallocating when free_plain_garbage began */
	size_t candidates, survivors, collected, uncollectable;
	size_t wr_freed;      /* weakrefs their own callbacks freed (counted as collected) */
	clockid_t clock;      /* duration_clock's choice */
	struct timespec t0;
	rc_gc_info info;
} collection;

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
 * on one cache miss per link (the trick of CPython 3.13's free-threaded "mark alive"). Not in
 * generation-0 collections: their objects are the ones just made, in cache, where the
 * prefetching is a third of subtract_refs's instructions for nothing (callgrind). */
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

static double seconds_since(clockid_t clock, const struct timespec *t0)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)(ts.tv_sec - t0->tv_sec) + (double)(ts.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* The duration statistic's clock. CLOCK_MONOTONIC costs about 25 ns a read (vDSO, measured
 * on the bench machine), more than a generation-0 collection of a few objects takes in all: a
 * program that collects generation 0 by hand often (an interpreter's safepoint) would spend
 * most of that time reading the clock. Such a collection (fewer than TINY_MAX objects in
 * generation 0, and no gc callback or DEBUG_STATS to show its own figure to) is timed with
 * CLOCK_MONOTONIC_COARSE instead (3 ns a read, a tick of 1-4 ms): each of its durations is 0
 * or a tick, and their sum is right on average (a tick falls inside a collection with the
 * probability of the collection's length over the tick's). */
#define TINY_MAX 16

static clockid_t duration_clock(const rc_runtime *rt, unsigned gen)
{
	if (gen != 0 || rt->ncallbacks || (rt->debug & RC_GC_DEBUG_STATS) ||
	    rt->gens[0].count >= TINY_MAX)
		return CLOCK_MONOTONIC;
	const gchead *h = &rt->gens[0].head, *g = h->next; /* the count is a hint: look */
	for (int i = 0; i < TINY_MAX; i++, g = g->next)
		if (g == h)
			return CLOCK_MONOTONIC_COARSE;
	return CLOCK_MONOTONIC;
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
	if (!s->prefetch) {
		for (gchead *g = young->next; g != young; g = g->next, n++) {
			rc_object *o = FROM_GC(g);
			TRAVERSE(o, visit_decref, s);
		}
		return n;
	}
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
 * (tuples and, in full collections, dicts that may be untracked, a tuple among their items
 * allowed, go to `untrack` for untrack_survivors to decide), labelled
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

/* Inlined into its call sites, so that each has the loop for its constant arguments. */
__attribute__((always_inline)) static inline size_t
move_unreachable(gchead *young, gchead *unreachable, gchead *untrack, scan *s, bool full,
		 unsigned label, bool *plain)
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
		if (untrack && o->type != &rc_list_type &&
		    ((o->type == &rc_tuple_type && rc__tuple_may_untrack(o, true)) ||
		     (full && o->type == &rc_dict_type && rc__dict_may_untrack(o, true)))) {
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

static void move_legacy_objects(gchead *unreachable, gchead *finalizers, unsigned target)
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

/* Garbage with a legacy_del, and all it reaches, leaves the garbage (uncollectable). */
static void move_legacy_finalizers(collection *c)
{
	if (!(c->needs & NEED_LEGACY))
		return;
	move_legacy_objects(&c->unreachable, &c->finalizers, c->target);
	move_legacy_finalizer_reachable(&c->finalizers, c->target);
	c->collected = gcl_len(&c->unreachable);
}

/* CPython 3.13's handle_weakrefs: every weakref that is garbage is cleared, every weakref to
 * garbage is cleared, and those that are not garbage themselves get their callback, now,
 * before any finalizer; each then moves to `old`, or, freed by its callback, counts as
 * collected. Returns whether a callback ran. */
static bool handle_weakrefs(collection *c)
{
	if (!(c->needs & NEED_WEAKREFS))
		return false;
	rc_runtime *rt = c->rt;
	gchead *unreachable = &c->unreachable;
	rc__wrqueue q = {NULL, NULL};
	for (gchead *g = unreachable->next; g != unreachable; g = g->next) {
		rc_object *o = FROM_GC(g);
		if (o->type == &rc_weakref_type)
			rc__weakref_detach(rt, o);
		if (o->flags & RC__F_WEAKREFD)
			rc__weakrefs_clear_for_gc(rt, o, &q);
	}
	bool any = q.head != NULL;
	c->wr_freed += rc__weakref_call_pending_gc(rt, &q, c->old, c->target);
	return any;
}

/* PEP 442: each finalizer once; objects may die (and leave the list) meanwhile. Returns
 * whether one ran. */
static bool finalize_garbage(collection *c)
{
	if (!(c->needs & NEED_FINALIZE))
		return false;
	rc_runtime *rt = c->rt;
	gchead *unreachable = &c->unreachable;
	bool any = false;
	gchead seen;
	gcl_init(&seen);
	while (!gcl_empty(unreachable)) {
		gchead *g = unreachable->next;
		rc_object *o = FROM_GC(g);
		gcl_move(g, &seen);
		if (o->type->finalize && !(o->flags & RC__F_FINALIZED)) {
			RC__USER_CODE(rt, "a finalizer");
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

/* Deduces again inside the garbage when user code ran (ran): what it made reachable goes to
 * `old` with all it reaches; the rest moves to `final`. Without user code run the garbage is
 * exactly what restore_refs counted, and the second deduction is skipped. */
static void handle_resurrected(collection *c, bool ran)
{
	if (!ran) {
		gcl_merge(&c->unreachable, &c->final);
		return;
	}
	scan s = {GEN_UNREACH, 0, NULL, true};
	c->rt->unsafe = 1;
	subtract_refs(&c->unreachable, &s);
	move_unreachable(&c->unreachable, &c->final, NULL, &s, false, RC__GEN_NONE, NULL);
	restore_refs(&c->final, &s, NULL);
	c->rt->unsafe = 0;
	gcl_relabel(&c->unreachable, c->target);
	gcl_merge(&c->unreachable, c->old);
	c->collected = gcl_len(&c->final);
}

static void append_garbage(rc_runtime *rt, rc_object *o)
{
	if (!rt->garbage)
		rt->garbage = rc_list_new(rt);
	if (rt->garbage)
		rc_list_append(rt, rt->garbage, o); /* out of memory: it survives unlisted */
}

/* Breaks the cycles, CPython's delete_garbage: clear() on the first object of `final`, held
 * meanwhile, whose references then drop and free by refcounting whatever dies with them (a
 * ring is cleared once and the rest cascades); an object that outlives its own clear moves to
 * `old`. While one object is cleared the next ones' referents are fetched (one object's clear
 * frees others far away in memory). With DEBUG_SAVEALL the garbage goes to rc_gc_garbage
 * instead. */
static void delete_garbage(collection *c)
{
	rc_runtime *rt = c->rt;
	gchead *final = &c->final, *old = c->old;
	unsigned target = c->target;
	while (!gcl_empty(final)) {
		gchead *g = final->next;
		rc_object *o = FROM_GC(g);
		if (rt->debug & RC_GC_DEBUG_SAVEALL) {
			append_garbage(rt, o);
			o->gen = (uint8_t)target;
			gcl_move(g, old);
			continue;
		}
		gchead *n = g->next;
		if (n != final) {
			prefetch_kids(n);
			if (n->next != final)
				__builtin_prefetch(n->next);
		}
		rc_incref(o);
		if (o->type->clear) {
			RC__USER_CODE(rt, "a clear hook");
			o->type->clear(rt, o);
		}
		if (o->refcnt > 1 && o->gen == GEN_UNREACH) { /* outlived its clear */
			o->gen = (uint8_t)target;
			gcl_move(g, old);
		}
		rc_decref(rt, o);
	}
}

/* The uncollectable: reported (DEBUG_UNCOLLECTABLE), the legacy finalizers (with DEBUG_SAVEALL
 * all of them) appended to rc_gc_garbage, and all of them moved to `old`. */
static void handle_legacy_finalizers(collection *c)
{
	rc_runtime *rt = c->rt;
	size_t n = 0;
	for (gchead *p = c->finalizers.next; p != &c->finalizers; p = p->next) {
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
	gcl_merge(&c->finalizers, c->old);
	c->uncollectable = n;
}

/* The fast path for plain garbage (lists, tuples and dicts, no weakref: nothing in it has a
 * finalizer, and their clear() drops every reference), taken right after move_unreachable
 * while the counts of the examined set are still lowered. Clearing them one by one and letting
 * refcounting free them (CPython's way) would free exactly all of them and release their
 * references to objects outside the set; so that is all this does, in two passes, QuickJS's
 * gc_free_cycles way: first every reference to an object outside the set is released (those
 * inside need nothing: their counts no longer matter, or were lowered for exactly this
 * reference and stay lowered), then every block is freed. No code outside the collector can
 * reach the garbage meanwhile: nothing outside the set refers to it, and no user code runs:
 * the path is taken only if every object outside the set that the garbage refers to is a
 * container (one that dies waits in the dealloc queue, which the driver drains once the
 * collection's state is consistent) or an atom whose death runs no user code (freed at once).
 * The passes stop at the first object move_unreachable did not flag RC__F_EXTREF (those come
 * first): the others hold nothing to release. */
static bool outside_set(const rc_object *o, const void *arg) { return !in_set(o, arg); }

/* Whether releasing a reference to o (outside the set) may run user code now. */
static inline bool loud_release(const rc_object *o)
{
	return !IS_GC_TYPE(o->type) && rc__death_runs_user_code(o);
}

static bool loud_items(rc_object *const *items, size_t n, const scan *s)
{
	for (size_t i = 0; i < n; i++)
		if (items[i] && !in_set(items[i], s) && loud_release(items[i]))
			return true;
	return false;
}

/* Whether releasing what the garbage holds outside the set would run user code. */
static bool plain_release_is_loud(gchead *garbage, const scan *s)
{
	for (gchead *g = garbage->next; g != garbage; g = g->next) {
		rc_object *o = FROM_GC(g);
		if (!(o->flags & RC__F_EXTREF))
			break;
		if (o->type == &rc_list_type) {
			rc__list *l = (rc__list *)o;
			if (loud_items(rc__list_items(l), l->size, s))
				return true;
		} else if (o->type == &rc_tuple_type) {
			rc__tuple *t = (rc__tuple *)o;
			if (loud_items(t->items, t->size, s))
				return true;
		} else {
			rc_object *kv[2];
			for (size_t pos = 0; rc_dict_next(o, &pos, &kv[0], &kv[1]);)
				if (loud_items(kv, 2, s))
					return true;
		}
	}
	return false;
}

static size_t free_plain_list(rc_runtime *rt, gchead *garbage, scan *s)
{
	size_t n = 0;
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
	return n;
}

/* -------------------------------------------------------------------------------------------
 * The collection: the phases on a `collection`, and the driver */

static void invoke_callbacks(rc_runtime *rt, rc_gc_phase phase, const rc_gc_info *info)
{
	if (rt->shutting_down)
		return;
	for (size_t i = 0; i < rt->ncallbacks; i++) { /* re-read: a callback may add or remove */
		struct gc_callback cb = rt->callbacks[i];
		RC__USER_CODE(rt, "a gc callback");
		cb.fn(rt, phase, info, cb.ud);
	}
}

static void print_generation_sizes(rc_runtime *rt)
{
	FILE *f = debug_out(rt);
	fprintf(f, "gc: objects in each generation: %zu %zu %zu\n", gcl_len(&rt->gens[0].head),
		gcl_len(&rt->gens[1].head), gcl_len(&rt->gens[2].head));
	fprintf(f, "gc: objects in permanent generation: %zu\n", gcl_len(&rt->frozen));
}

/* Sets up the collection and announces it: "start" callbacks, mprof's gc_start, DEBUG_STATS. */
static void start_collection(collection *c, rc_runtime *rt, unsigned gen)
{
	unsigned target = gen + 1 < RC_GC_GENERATIONS ? gen + 1 : gen;
	/* field by field, not a compound literal: zeroing the whole struct was a sixth of a
	 * small young collection's instructions */
	c->rt = rt;
	c->gen = gen;
	c->target = target;
	c->young = &rt->gens[gen].head;
	c->old = &rt->gens[target].head;
	c->s = (scan){0, gen, NULL, gen > 0};
	gcl_init(&c->unreachable);
	gcl_init(&c->untrack);
	gcl_init(&c->finalizers);
	gcl_init(&c->final);
	c->needs = 0;
	c->plain = false;
	c->was_deallocating = 0;
	c->candidates = c->survivors = c->collected = c->uncollectable = c->wr_freed = 0;
	c->info = (rc_gc_info){.generation = (int)gen};
	c->clock = duration_clock(rt, gen);
	clock_gettime(c->clock, &c->t0);
	invoke_callbacks(rt, RC_GC_START, &c->info);
	mprof_gc_start((int)gen);
	if (rt->debug & RC_GC_DEBUG_STATS) {
		fprintf(debug_out(rt), "gc: collecting generation %u...\n", gen);
		print_generation_sizes(rt);
	}
}

/* Generations 0..gen become one list, `young`; their counts restart. */
static void merge_younger(collection *c)
{
	struct gen *gens = c->rt->gens;
	if (c->gen + 1 < RC_GC_GENERATIONS)
		gens[c->gen + 1].count++;
	for (unsigned i = 0; i <= c->gen; i++)
		gens[i].count = 0;
	for (unsigned i = 0; i < c->gen; i++) /* labels 0..gen-1 are inside the set: no relabelling */
		gcl_merge(&gens[i].head, c->young);
}

/* subtract_refs then move_unreachable over the set labelled 0..gen. A full collection labels
 * its survivors 2 as it finds them (2 is inside its set); a younger one cannot do so, since
 * the older generation's own objects must stay outside its set (one that only garbage refers
 * to must see that reference dropped, and die), so age_survivors relabels them after. */
static void deduce_unreachable(collection *c)
{
	c->candidates = subtract_refs(c->young, &c->s);
	if (c->gen == RC_GC_GENERATIONS - 1)
		c->survivors = move_unreachable(c->young, &c->unreachable, &c->untrack, &c->s, true,
						RC_GC_GENERATIONS - 1, &c->plain);
	else
		c->survivors = move_unreachable(c->young, &c->unreachable, &c->untrack, &c->s,
						false, RC__GEN_NONE, &c->plain);
}

/* Whether the garbage may take free_plain_garbage (the debug flags that list it may not). */
static bool is_plain_garbage(const collection *c)
{
	return c->plain && !(c->rt->debug & (RC_GC_DEBUG_SAVEALL | RC_GC_DEBUG_COLLECTABLE));
}

/* The plain garbage freed at once (no later phase has anything to do for it), unless
 * releasing what it holds outside the set could run user code: then nothing is done and the
 * general path takes it (returns false). Containers that its release kills wait in the dealloc
 * queue for release_deferred. */
static bool free_plain_garbage(collection *c)
{
	rc_runtime *rt = c->rt;
	c->was_deallocating = rt->deallocating;
	if (gcl_empty(&c->unreachable)) /* no garbage (the usual young collection) */
		return true;
	if (plain_release_is_loud(&c->unreachable, &c->s))
		return false;
	struct gen *g0 = &rt->gens[0];
	rt->deallocating = 1;
	c->collected = free_plain_list(rt, &c->unreachable, &c->s);
	long c0 = g0->count - (long)c->collected; /* PyObject_GC_Del's count0 decrement */
	g0->count = c0 > 0 ? c0 : 0;
	return true;
}

/* The deaths that freeing the plain garbage caused, now that user code may run: the dealloc
 * queue is drained (by the outermost deallocation instead, if the collection ran inside one). */
static void release_deferred(collection *c)
{
	rc_runtime *rt = c->rt;
	rt->deallocating = c->was_deallocating;
	if (!rt->deallocating && rt->dealloc_queue)
		rc__dealloc_drain(rt);
}

/* True refcounts again, the garbage labelled GEN_UNREACH and counted, its needs noted. */
static void restore_garbage_refs(collection *c)
{
	c->collected = restore_refs(&c->unreachable, &c->s, &c->needs);
}

/* CPython's untrack_tuples, then untrack_dicts: survivors that can no longer be in a cycle
 * are untracked, tuples in the order found (so ((1,), 3) goes in one collection, the inner
 * tuple first), then dicts (so {1: (1,)} does too); the other candidates stay survivors. */
static void keep_or_untrack(collection *c, rc_object *o, bool untrack)
{
	if (untrack) {
		rc__untrack(o);
	} else {
		gcl_move(AS_GC(o), c->young);
		c->survivors++;
	}
}

static void untrack_survivors(collection *c)
{
	gchead dicts;
	gcl_init(&dicts);
	while (!gcl_empty(&c->untrack)) {
		gchead *g = c->untrack.next;
		rc_object *o = FROM_GC(g);
		if (o->type == &rc_tuple_type)
			keep_or_untrack(c, o, rc__tuple_may_untrack(o, false));
		else
			gcl_move(g, &dicts);
	}
	while (!gcl_empty(&dicts)) {
		rc_object *o = FROM_GC(dicts.next);
		keep_or_untrack(c, o, rc__dict_may_untrack(o, false));
	}
}

/* Survivors move to the next generation (a full collection's stay), and the 25% rule's
 * counts of long-lived objects are updated. */
static void age_survivors(collection *c)
{
	rc_runtime *rt = c->rt;
	if (c->gen == 1)
		rt->long_lived_pending += c->survivors;
	if (c->gen == RC_GC_GENERATIONS - 1) {
		rt->long_lived_pending = 0;
		rt->long_lived_total = c->survivors;
	} else {
		gcl_relabel(c->young, c->target);
		gcl_merge(c->young, c->old);
	}
}

/* DEBUG_COLLECTABLE: each object of the garbage, before anything happens to it. */
static void debug_collectable(collection *c)
{
	if (!(c->rt->debug & RC_GC_DEBUG_COLLECTABLE))
		return;
	FILE *f = debug_out(c->rt);
	for (gchead *p = c->unreachable.next; p != &c->unreachable; p = p->next) {
		fputs("gc: collectable ", f);
		rc__debug_repr(f, FROM_GC(p));
		fputc('\n', f);
	}
}

/* Stats, DEBUG_STATS, mprof's gc_stop, "stop" callbacks. Returns collected + uncollectable. */
static long finish_collection(collection *c)
{
	rc_runtime *rt = c->rt;
	size_t m = c->collected + c->wr_freed, n = c->uncollectable;
	double dt = seconds_since(c->clock, &c->t0);
	rc_gc_stats *st = &rt->stats[c->gen];
	st->collections++;
	st->collected += m;
	st->uncollectable += n;
	st->candidates += c->candidates;
	st->duration += dt;
	if (rt->debug & RC_GC_DEBUG_STATS)
		fprintf(debug_out(rt), "gc: done, %zu unreachable, %zu uncollectable, %.4fs elapsed\n",
			m + n, n, dt);
	c->info.collected = (long)m;
	c->info.uncollectable = (long)n;
	c->info.candidates = (long)c->candidates;
	c->info.duration = dt;
	mprof_gc_stop((int)c->gen, (long)m, (long)n, (long)c->candidates);
	invoke_callbacks(rt, RC_GC_STOP, &c->info);
	return (long)(m + n);
}

#ifdef RCGC_DEBUG
/* The debug build's check on entry to and exit from the phases: the generations examined
 * (0..gen) hold every rule of gccheck.c, and at the exit every working list is empty. Only
 * those generations, so that a debug collection stays proportional to its work (the stress
 * build runs one per allocation); a young collection's target generation is checked by the
 * next collection that examines it. A broken invariant is a bug in rcgc, or in a type's hooks
 * or a program's refcounting, never bad input: it is reported and the process aborts. */
static void check_invariants(collection *c, bool exiting)
{
	int err = rc__gc_check_gens(c->rt, c->gen);
	if (!err && exiting && !(gcl_empty(&c->unreachable) && gcl_empty(&c->untrack) &&
				 gcl_empty(&c->finalizers) && gcl_empty(&c->final)))
		err = 100;
	if (err) {
		fprintf(stderr, "rcgc: invariant %d broken on %s of a generation %u collection\n",
			err, exiting ? "exit" : "entry", c->gen);
		abort();
	}
}
#else
#define check_invariants(c, exiting) ((void)0)
#endif

/* A collection of generation gen (CPython's gc_collect_main). */
long rc__gc_collect(rc_runtime *rt, int gen)
{
	if (rt->collecting)
		return 0;
	rt->collecting = 1;
	collection c;
	start_collection(&c, rt, (unsigned)gen);
	check_invariants(&c, false);
	merge_younger(&c);
	rt->unsafe = 1; /* no user code until the state is consistent again */
	deduce_unreachable(&c);
	bool plain = is_plain_garbage(&c) && free_plain_garbage(&c);
	if (!plain)
		restore_garbage_refs(&c);
	untrack_survivors(&c);
	age_survivors(&c);
	rt->unsafe = 0;
	if (plain) {
		release_deferred(&c);
	} else { /* plain garbage is gone already: these would find nothing to do */
		move_legacy_finalizers(&c);
		debug_collectable(&c);
		bool ran = handle_weakrefs(&c);
		ran |= finalize_garbage(&c);
		handle_resurrected(&c, ran);
		delete_garbage(&c);
		handle_legacy_finalizers(&c);
	}
	if (c.gen == RC_GC_GENERATIONS - 1) /* CPython's clear_freelists */
		rc__list_free_release(rt);
	check_invariants(&c, true);
	long found = finish_collection(&c);
	rt->collecting = 0;
	return found;
}

/* The automatic choice: the oldest generation over its threshold, the oldest only under the
 * 25% rule (pending long-lived objects above a quarter of those that survived the last full
 * collection), so that full collections stay amortized linear. */
long rc__gc_collect_generations(rc_runtime *rt)
{
	for (int i = RC_GC_GENERATIONS - 1; i >= 0; i--) {
		if (i > 0 && rt->gens[i].count <= rt->gens[i].threshold)
			continue;
		if (i == RC_GC_GENERATIONS - 1 && rt->long_lived_pending < rt->long_lived_total / 4)
			continue;
		return rc__gc_collect(rt, i);
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
		rc__gc_collect_generations(rt);
}
