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
 *   callbacks (CPython's), after emptying rc_gc_garbage so that what it held can be freed.
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

rc_runtime *rc_runtime_new(const rc_runtime_config *cfg)
{
	rc_runtime_config def = {0};
	if (!cfg)
		cfg = &def;
	rc_alloc_fn alloc = cfg->alloc;
	void *ud = cfg->alloc_ud;
	if (!alloc) {
		alloc = rc__pool_allocator;
		if (!(ud = rc__pool_new()))
			return NULL;
	}
	rc_runtime *rt = alloc(ud, NULL, 0, sizeof *rt);
	if (!rt)
		goto fail_pool;
	memset(rt, 0, sizeof *rt);
	rt->alloc = alloc;
	rt->alloc_ud = ud;
	rt->own_pool = cfg->alloc ? NULL : ud;
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
	if (!cfg->alloc)
		rc__pool_free(ud);
	return NULL;
}

/* CPython's shutdown report of what gc.garbage still holds (DEBUG_UNCOLLECTABLE). */
static void report_garbage_left(rc_runtime *rt)
{
	size_t left = rt->garbage ? rc_list_size(rt->garbage) : 0;
	if (!left || !(rt->debug & RC_GC_DEBUG_UNCOLLECTABLE))
		return;
	FILE *f = rt->debug_stream ? rt->debug_stream : stderr;
	fprintf(f, "gc: %zu uncollectable objects at shutdown\n", left);
	for (size_t i = 0; i < left; i++) {
		fputs("gc: uncollectable ", f);
		rc__debug_repr(f, rc_list_get(rt->garbage, i));
		fputc('\n', f);
	}
}

void rc_runtime_free(rc_runtime *rt)
{
	if (!rt)
		return;
	report_garbage_left(rt);
	if (rt->garbage)
		rc_list_clear(rt, rt->garbage);
	rt->shutting_down = 1;
	rc_gc_unfreeze(rt);
	rc_gc_collect(rt, 2);
	rc_xdecref(rt, rt->garbage);
	rt->garbage = NULL;
	rc__mem_free(rt, rt->callbacks, rt->callbacks_cap * sizeof *rt->callbacks);
	rc__mem_free(rt, rt->weak, rt->weak_cap * sizeof *rt->weak);
	rc__pool_state *own_pool = rt->own_pool;
	rt->alloc(rt->alloc_ud, rt, sizeof *rt, 0);
	rc__pool_free(own_pool);
}
