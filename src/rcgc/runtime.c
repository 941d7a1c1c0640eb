/* runtime.c - a runtime's life cycle: rc_runtime_new, the shutdown in rc_runtime_free, and
 * what lives as long as the runtime (None, the error texts).
 *
 * Invariants:
 * - A runtime owns nothing global: everything hangs off rc_runtime, itself a block of its own
 *   allocator, counted in its own rt->mem from the start.
 * - rt->alloc is set before anything is allocated and never changes: the configuration's
 *   function, or the built-in pool (pool.c) with a pool state of the runtime's own
 *   (rt->own_pool), which rc_runtime_free releases last, after the runtime's own block. A
 *   pool state given in the configuration stays its giver's.
 * - Shutdown runs one last full collection with the frozen objects unfrozen and no gc
 *   callbacks (CPython's), then reports what rc_gc_garbage holds (CPython's shutdown stats),
 *   then empties it and, if it held anything, collects once more, quietly, so that what only
 *   it kept is freed. Legacy-finalizer cycles survive that (CPython's too) unless the runtime
 *   was made with RC_RUNTIME_FREE_ALL, whose teardown frees every tracked object quietly.
 * - With RC_RUNTIME_SYSTEM_MALLOC (or RCGC_MALLOC=malloc) and no allocator of its own, the
 *   runtime allocates every block with malloc: rc__system_allocator, and no pool state.
 */
#include <stdlib.h>

#include "internal.h"

const char *rc_strerror(int err)
{
	switch (err) {
	case RC_OK: return "success";
	case RC_ENOMEM: return "out of memory";
	case RC_EINVAL: return "invalid argument";
	case RC_EGEN: return "invalid generation";
	case RC_ETYPE: return "object of the wrong type";
	case RC_EINDEX: return "index out of range";
	case RC_EKEY: return "key not found";
	case RC_EBUSY: return "a collection is running";
	case RC_ENOENT: return "no such entry";
	}
	return "unknown error";
}

static void none_dealloc(rc_runtime *rt, rc_object *o)
{
	(void)rt;
	(void)o; /* never reached while the runtime holds its reference */
}

const rc_type rc_none_type = {
	.name = "NoneType", .size = sizeof(rc_object), .dealloc = none_dealloc,
};

rc_object *rc_none(rc_runtime *rt) { return &rt->none; }

/* RC_RUNTIME_SYSTEM_MALLOC, or RCGC_MALLOC=malloc in the environment (read, never written:
 * the one process-wide input of the library, like CPython's PYTHONMALLOC). */
static bool system_malloc_wanted(const rc_runtime_config *cfg)
{
	if (cfg->flags & RC_RUNTIME_SYSTEM_MALLOC)
		return true;
	const char *e = getenv("RCGC_MALLOC");
	return e && strcmp(e, "malloc") == 0;
}

rc_runtime *rc_runtime_new(const rc_runtime_config *cfg)
{
	rc_runtime_config def = {0};
	if (!cfg)
		cfg = &def;
	rc_alloc_fn alloc = cfg->alloc;
	void *ud = cfg->alloc_ud;
	bool own_pool = false;
	if (!alloc && system_malloc_wanted(cfg)) {
		alloc = rc__system_allocator;
		ud = NULL;
	} else if (!alloc) {
		alloc = rc__pool_allocator;
		if (!(ud = rc__pool_new()))
			return NULL;
		own_pool = true;
	}
	rc_runtime *rt = alloc(ud, NULL, 0, sizeof *rt);
	if (!rt)
		goto fail_pool;
	memset(rt, 0, sizeof *rt);
	rt->alloc = alloc;
	rt->alloc_ud = ud;
	rt->own_pool = own_pool ? ud : NULL;
	rt->list_free_on = alloc != rc__system_allocator;
	rt->flags = cfg->flags;
	rt->mem.live_bytes = rt->mem.peak_bytes = sizeof *rt;
	rt->mem.allocs = 1;
	static const long thresholds[RC_GC_GENERATIONS] = {2000, 10, 10};
	for (int i = 0; i < RC_GC_GENERATIONS; i++) {
		gcl_init(&rt->gens[i].head);
		rt->gens[i].threshold = thresholds[i];
	}
	gcl_init(&rt->frozen);
	rt->enabled = 1;
	rt->none.refcnt = 1;
	rt->none.gen = RC__GEN_NONE;
	rt->none.type = &rc_none_type;
	return rt;

fail_pool:
	if (own_pool)
		rc__pool_free(ud);
	return NULL;
}

/* CPython's _PyGC_DumpShutdownStats, after the last collection: what rc_gc_garbage holds,
 * under DEBUG_UNCOLLECTABLE (CPython's ResourceWarning without it is ignored by default, and
 * a library does not print), and nothing under DEBUG_SAVEALL. */
static void report_garbage_left(rc_runtime *rt)
{
	size_t left = rt->garbage ? rc_list_size(rt->garbage) : 0;
	if (!left || !(rt->debug & RC_GC_DEBUG_UNCOLLECTABLE) || (rt->debug & RC_GC_DEBUG_SAVEALL))
		return;
	FILE *f = rt->debug_stream ? rt->debug_stream : stderr;
	fprintf(f, "gc: %zu uncollectable objects at shutdown\n", left);
	for (size_t i = 0; i < left; i++) {
		fputs("gc: uncollectable ", f);
		rc__debug_repr(f, rc_list_get(rt->garbage, i));
		fputc('\n', f);
	}
}

/* Every tracked object onto one list (which the objects then leave as they die). */
static bool gather_tracked(rc_runtime *rt, gchead *all)
{
	for (int i = 0; i < RC_GC_GENERATIONS; i++) {
		gcl_relabel(&rt->gens[i].head, 0);
		gcl_merge(&rt->gens[i].head, all);
	}
	gcl_relabel(&rt->frozen, 0);
	gcl_merge(&rt->frozen, all);
	return !gcl_empty(all);
}

/* RC_RUNTIME_FREE_ALL: frees what the last collections left, quietly (no finalizer, legacy
 * finalizer or callback runs: rt->tearing_down). First every tracked object is cleared, as a
 * collection clears garbage, so that the cycles left (those of legacy finalizers) die by
 * refcounting; what still lives then is held from outside the containers, by the program:
 * each is held once more by this function, its dealloc hook run (its references drop, none of
 * these objects can die meanwhile), and its memory freed. Atoms and untracked containers the
 * program still holds cannot be found, and stay. */
static void free_everything(rc_runtime *rt)
{
	rt->tearing_down = 1;
	rt->enabled = 0;
	gchead all, left;
	gcl_init(&all);
	gcl_init(&left);
	for (int round = 0; round < 8 && gather_tracked(rt, &all); round++) {
		while (!gcl_empty(&all)) {
			gchead *g = all.next;
			rc_object *o = rc_incref(FROM_GC(g));
			gcl_move(g, &left);
			if (o->type->clear)
				o->type->clear(rt, o);
			rc_decref(rt, o);
		}
	}
	gcl_merge(&left, &all);
	gather_tracked(rt, &all);
	for (gchead *g = all.next; g != &all; g = g->next)
		rc_incref(FROM_GC(g));
	for (gchead *g = all.next; g != &all; g = g->next) {
		rc_object *o = FROM_GC(g);
		if (o->flags & RC__F_WEAKREFD)
			rc__weakrefs_clear_silently(rt, o);
		if (o->type->dealloc)
			o->type->dealloc(rt, o);
	}
	while (!gcl_empty(&all)) {
		rc_object *o = FROM_GC(all.next);
		rc__untrack(o);
		rc__mem_free(rt, AS_GC(o), sizeof(gchead) + rc__instance_size(o));
	}
	rt->tearing_down = 0;
}

void rc_runtime_free(rc_runtime *rt)
{
	if (!rt)
		return;
	rt->shutting_down = 1;
	rc_gc_unfreeze(rt);
	rc_gc_collect(rt, 2);
	report_garbage_left(rt);
	if (rt->garbage && rc_list_size(rt->garbage)) {
		/* what only the garbage list held: its cycles need one more collection, quiet */
		rt->debug = 0;
		rc_list_clear(rt, rt->garbage);
		rc_gc_collect(rt, 2);
	}
	rc_object *garbage = rt->garbage;
	rt->garbage = NULL;
	if (garbage)
		rc_list_clear(rt, garbage);
	rc_xdecref(rt, garbage);
	if (rt->flags & RC_RUNTIME_FREE_ALL)
		free_everything(rt);
	rc__list_free_release(rt);
	rc__mem_free(rt, rt->callbacks, rt->callbacks_cap * sizeof *rt->callbacks);
	rc__mem_free(rt, rt->weak, rt->weak_cap * sizeof *rt->weak);
	rc__pool_state *own_pool = rt->own_pool;
	rt->alloc(rt->alloc_ud, rt, sizeof *rt, 0);
	rc__pool_free(own_pool);
}
