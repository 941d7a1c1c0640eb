/* mem.c - every byte a runtime uses goes through here: one call to the runtime's allocator
 * function (the user's, or pool.c's rc__pool_allocator by default), and the counts.
 *
 * Invariants:
 * - rt->alloc is never NULL: rc_runtime_new installs the built-in allocator when the
 *   configuration gives none, so there is one path for every allocation.
 * - rt->mem counts what callers asked for, whatever allocator serves them: live_bytes is the
 *   sum of the sizes of the blocks handed out and not yet freed (a request of 0 bytes counts
 *   as 1, as it is served as 1), peak_bytes its highest value.
 * - Callers pass the block's size on free and realloc (Lua's convention).
 */
#include <stdlib.h>

#include "internal.h"

static void count_alloc(rc_runtime *rt, size_t n)
{
	rt->mem.live_bytes += n;
	rt->mem.allocs++;
	if (rt->mem.live_bytes > rt->mem.peak_bytes)
		rt->mem.peak_bytes = rt->mem.live_bytes;
}

void *rc__mem_alloc(rc_runtime *rt, size_t n)
{
	if (n == 0)
		n = 1;
	void *p = rt->alloc(rt->alloc_ud, NULL, 0, n);
	if (p)
		count_alloc(rt, n);
	return p;
}

void rc__mem_free(rc_runtime *rt, void *p, size_t n)
{
	if (!p)
		return;
	if (n == 0)
		n = 1;
	rt->alloc(rt->alloc_ud, p, n, 0);
	rt->mem.live_bytes -= n;
	rt->mem.frees++;
}

void *rc__mem_calloc(rc_runtime *rt, size_t n)
{
	void *p = rc__mem_alloc(rt, n);
	/* the built-in allocator's big blocks are fresh mmaps, zero already: not touching them
	 * keeps them out of RSS until used */
	if (p && (n < RC__POOL_LARGE_MIN || rt->alloc != rc__pool_allocator))
		memset(p, 0, n);
	return p;
}

void *rc__mem_realloc(rc_runtime *rt, void *p, size_t o, size_t n)
{
	if (!p)
		return rc__mem_alloc(rt, n);
	if (n == 0) {
		rc__mem_free(rt, p, o);
		return NULL;
	}
	void *r = rt->alloc(rt->alloc_ud, p, o, n);
	if (r) {
		rt->mem.live_bytes -= o;
		count_alloc(rt, n);
	}
	return r;
}

/* RC_RUNTIME_SYSTEM_MALLOC: each block its own malloc'd block (glibc aligns them to 16). */
void *rc__system_allocator(void *ud, void *ptr, size_t osize, size_t nsize)
{
	(void)ud;
	(void)osize;
	if (nsize == 0) {
		free(ptr);
		return NULL;
	}
	return realloc(ptr, nsize);
}

void *rc_alloc(rc_runtime *rt, size_t size) { return rc__mem_alloc(rt, size); }
void *rc_realloc(rc_runtime *rt, void *p, size_t o, size_t n)
{
	return rc__mem_realloc(rt, p, o, n);
}
void rc_free(rc_runtime *rt, void *p, size_t size) { rc__mem_free(rt, p, size); }

void rc_mem_get_stats(const rc_runtime *rt, rc_mem_stats *out)
{
	*out = rt->mem;
	out->arenas = out->arena_bytes = out->large_bytes = 0;
	if (rt->alloc == rc__pool_allocator)
		rc__pool_stats(rt->alloc_ud, out);
}
