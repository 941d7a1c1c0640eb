/* pool.c - the built-in allocator: rc__pool_allocator, an rc_alloc_fn like any user's.
 *
 * It works like pymalloc: requests up to SMALL_MAX bytes are served from size classes (8, 16,
 * 32, ... 512 bytes) carved out of POOL_SIZE pools inside ARENA_SIZE arenas obtained with mmap;
 * bigger requests go to malloc, and from RC__POOL_LARGE_MIN bytes on straight to mmap, so that
 * freeing a big buffer lowers the process's resident memory at once (and the block comes back
 * zeroed: mem.c's calloc relies on it). A runtime created without an allocator gets this one,
 * with a fresh rc__pool_state as its user data; mem.c calls it through rt->alloc like any other.
 *
 * Invariants:
 * - Callers pass the block's size on free (Lua's convention): no per-block header.
 * - A pool is on its class's `usable` list iff it is assigned to class c and not full.
 * - An arena is unmapped when all its pools are free, except that one empty arena is kept as
 *   a spare so that a loop allocating and freeing one object does not map and unmap each time.
 * - The pool that emptied last may be kept aside (`cached`, off every list, its class and free
 *   blocks intact) for the next pool wanted, so that such a loop does not hand its pool back
 *   and carve it again each time; never when it is the last pool in use of its arena, which
 *   must be free to go.
 * - Nothing here knows about objects or the runtime: a pool state serves one runtime.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "internal.h"

/* The three paths stay out of line, so that rc__pool_allocator is a dispatch of tail calls:
 * inlined, they make every call save the registers the biggest one needs (measured: +7
 * instructions per allocation and per free, which every object pays). */
#define NOINLINE __attribute__((noinline))

#define SMALL_MAX 512u
#define NCLASSES 33u /* class 0: 8 bytes; class c >= 1: 16*c bytes */
#define POOL_SIZE ((size_t)16 << 10)
#define ARENA_SIZE ((size_t)1 << 20)
#define ARENA_POOLS (ARENA_SIZE / POOL_SIZE) /* pool 0 holds the arena header */
#define LARGE_MIN RC__POOL_LARGE_MIN
#define POOL_HEADER 64u

struct arena;

struct pool {
	struct pool *next, *prev; /* usable[c] list, or the arena's free-pool list (next only) */
	struct arena *arena;
	void *freelist;           /* freed blocks, linked through their first word */
	uint32_t used;            /* blocks handed out */
	uint32_t nextoffset;      /* blocks below this offset were carved at least once */
	uint32_t maxoffset;       /* last offset a block may start at */
	uint32_t cls;
};

struct arena {
	struct arena *next, *prev; /* all arenas */
	struct pool *freepools;    /* pools given back, ready for any class */
	uint32_t nfree;            /* free pools, carved or not */
	uint32_t nextpool;         /* pools below this index were handed out at least once */
};

struct rc__pool_state {
	struct pool usable[NCLASSES]; /* list heads (only next/prev used) */
	struct arena arenas;          /* list head */
	struct arena *spare;          /* one empty arena kept back, or NULL */
	struct pool *cached;          /* an empty pool kept aside, or NULL */
	size_t narenas;
	size_t large_bytes;
};

_Static_assert(sizeof(struct pool) <= POOL_HEADER, "pool header too big");
_Static_assert(sizeof(struct arena) <= POOL_SIZE, "arena header too big");

static inline uint32_t size_class(size_t n) { return n <= 8 ? 0 : (uint32_t)((n + 15) >> 4); }
static inline uint32_t class_size(uint32_t c) { return c ? c * 16u : 8u; }

static void *map_aligned(size_t size, size_t align)
{
	char *p = mmap(NULL, size + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	uintptr_t a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
	size_t head = a - (uintptr_t)p, tail = align - head;
	if (head)
		munmap(p, head);
	if (tail)
		munmap((char *)a + size, tail);
	return (void *)a;
}

rc__pool_state *rc__pool_new(void)
{
	rc__pool_state *ps = calloc(1, sizeof *ps);
	if (!ps)
		return NULL;
	for (uint32_t c = 0; c < NCLASSES; c++)
		ps->usable[c].next = ps->usable[c].prev = &ps->usable[c];
	ps->arenas.next = ps->arenas.prev = &ps->arenas;
	return ps;
}

static void arena_unmap(rc__pool_state *ps, struct arena *a)
{
	a->prev->next = a->next;
	a->next->prev = a->prev;
	ps->narenas--;
	munmap(a, ARENA_SIZE);
}

void rc__pool_free(rc__pool_state *ps)
{
	if (!ps)
		return;
	while (ps->arenas.next != &ps->arenas)
		arena_unmap(ps, ps->arenas.next);
	free(ps);
}

void rc__pool_stats(const rc__pool_state *ps, rc_mem_stats *out)
{
	out->arenas = ps->narenas;
	out->arena_bytes = ps->narenas * ARENA_SIZE;
	out->large_bytes = ps->large_bytes;
}

static struct arena *arena_new(rc__pool_state *ps)
{
	struct arena *a = map_aligned(ARENA_SIZE, ARENA_SIZE);
	if (!a)
		return NULL;
	a->freepools = NULL;
	a->nfree = ARENA_POOLS - 1;
	a->nextpool = 1;
	a->next = &ps->arenas;
	a->prev = ps->arenas.prev;
	ps->arenas.prev->next = a;
	ps->arenas.prev = a;
	ps->narenas++;
	return a;
}

/* A free pool from the fullest-first arena list; arenas are tried in creation order, which
 * keeps new pools in old arenas and lets young arenas empty out. */
static struct pool *pool_take(rc__pool_state *ps)
{
	struct arena *a;
	for (a = ps->arenas.next; a != &ps->arenas; a = a->next)
		if (a->nfree)
			break;
	if (a == &ps->arenas) {
		a = arena_new(ps);
		if (!a)
			return NULL;
	}
	if (a == ps->spare)
		ps->spare = NULL;
	struct pool *p;
	if (a->freepools) {
		p = a->freepools;
		a->freepools = p->next;
	} else {
		p = (struct pool *)((char *)a + (size_t)a->nextpool * POOL_SIZE);
		a->nextpool++;
	}
	a->nfree--;
	p->arena = a;
	return p;
}

static void pool_give_back(rc__pool_state *ps, struct pool *p)
{
	struct arena *a = p->arena;
	p->next = a->freepools;
	a->freepools = p;
	a->nfree++;
	struct pool *c = ps->cached;
	if (c && c->arena == a && a->nfree == ARENA_POOLS - 2) { /* only the cached one left */
		ps->cached = NULL;
		c->next = a->freepools;
		a->freepools = c;
		a->nfree++;
	}
	if (a->nfree == ARENA_POOLS - 1) {
		if (ps->spare && ps->spare != a)
			arena_unmap(ps, ps->spare);
		ps->spare = a;
	}
}

static void pool_init(struct pool *p, uint32_t c)
{
	p->cls = c;
	p->used = 0;
	p->freelist = NULL;
	p->nextoffset = POOL_HEADER;
	p->maxoffset = (uint32_t)(POOL_SIZE - class_size(c));
}

NOINLINE static void *pool_alloc(rc__pool_state *ps, size_t n)
{
	if (n > SMALL_MAX) {
		void *b;
		if (n >= LARGE_MIN) {
			b = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (b == MAP_FAILED)
				return NULL;
		} else {
			b = malloc(n);
			if (!b)
				return NULL;
		}
		ps->large_bytes += n;
		return b;
	}
	uint32_t c = size_class(n);
	struct pool *head = &ps->usable[c], *p = head->next;
	if (p == head) {
		p = ps->cached; /* of class c, it is as it was left: its free blocks intact */
		ps->cached = NULL;
		if (!p || p->cls != c) {
			if (!p && !(p = pool_take(ps)))
				return NULL;
			pool_init(p, c);
		}
		p->next = head->next;
		p->prev = head;
		head->next->prev = p;
		head->next = p;
	}
	void *b = p->freelist;
	if (b) {
		p->freelist = *(void **)b;
	} else {
		b = (char *)p + p->nextoffset;
		p->nextoffset += class_size(c);
	}
	p->used++;
	if (!p->freelist && p->nextoffset > p->maxoffset) { /* full: off the usable list */
		p->prev->next = p->next;
		p->next->prev = p->prev;
	}
	return b;
}

/* Returns NULL, the allocator function's answer to a free (so that it can tail-call this). */
NOINLINE static void *pool_release(rc__pool_state *ps, void *b, size_t n)
{
	if (n > SMALL_MAX) {
		ps->large_bytes -= n;
		if (n >= LARGE_MIN)
			munmap(b, n);
		else
			free(b);
		return NULL;
	}
	struct pool *p = (struct pool *)((uintptr_t)b & ~(uintptr_t)(POOL_SIZE - 1));
	bool was_full = !p->freelist && p->nextoffset > p->maxoffset;
	*(void **)b = p->freelist;
	p->freelist = b;
	p->used--;
	struct pool *head = &ps->usable[p->cls];
	if (p->used == 0) {
		if (!was_full) {
			p->prev->next = p->next;
			p->next->prev = p->prev;
		}
		if (p->arena->nfree < ARENA_POOLS - 2) { /* its arena has other pools in use */
			struct pool *old = ps->cached;
			ps->cached = p;
			if (old)
				pool_give_back(ps, old);
		} else {
			pool_give_back(ps, p);
		}
		return NULL;
	}
	if (was_full) {
		p->next = head->next;
		p->prev = head;
		head->next->prev = p;
		head->next = p;
	}
	return NULL;
}

NOINLINE static void *pool_realloc(rc__pool_state *ps, void *b, size_t o, size_t n)
{
	if (o > SMALL_MAX && n > SMALL_MAX && o < LARGE_MIN && n < LARGE_MIN) {
		void *r = realloc(b, n);
		if (r)
			ps->large_bytes += n - o;
		return r;
	}
	if (o <= SMALL_MAX && n <= SMALL_MAX && size_class(o) == size_class(n))
		return b;
	void *r = pool_alloc(ps, n);
	if (!r)
		return NULL;
	memcpy(r, b, o < n ? o : n);
	pool_release(ps, b, o);
	return r;
}

/* The allocator function (rc_alloc_fn): ud is the runtime's rc__pool_state. */
void *rc__pool_allocator(void *ud, void *ptr, size_t osize, size_t nsize)
{
	rc__pool_state *ps = ud;
	if (nsize == 0)
		return ptr ? pool_release(ps, ptr, osize) : NULL;
	return ptr ? pool_realloc(ps, ptr, osize, nsize) : pool_alloc(ps, nsize);
}
