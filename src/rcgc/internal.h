/* internal.h - what the rcgc source files share: the runtime, the collector lists, hooks.
 *
 * Invariants:
 * - An instance of an RC_TYPE_GC type is preceded by a gchead (16 bytes). It is on exactly
 *   one gchead list while tracked: generation 0..2, the permanent (frozen) generation, or,
 *   during a collection, one of the collector's working lists. Untracked: gen == RC__GEN_NONE
 *   and next == prev == NULL.
 * - o->gen says which generation a tracked object belongs to (0..2, GEN_FROZEN); the collector
 *   also uses GEN_UNREACH for the garbage it is working on. Non-GC objects have RC__GEN_NONE.
 * - Outside a collection every refcount is the true number of references. Inside one the
 *   collector lowers refcounts of the examined objects and restores them before any user code
 *   (finalizer, callback, clear, a user type's dealloc) can run; rt->unsafe is set meanwhile,
 *   and the debug build aborts if user code is reached then (RC__USER_CODE, gc.c's header).
 * - An object waiting in the dealloc queue has refcount 0, is untracked, and is linked through
 *   its gchead's next pointer (only GC objects are queued). A refcount-0 object is reachable
 *   through no API: rc_weakref_get reports its weakrefs dead at once.
 */
#ifndef RCGC_INTERNAL_H
#define RCGC_INTERNAL_H

#include <assert.h>
#include <stdbool.h>
#include <string.h>

#include "rcgc.h"

#define GEN_FROZEN 3u
#define GEN_UNREACH 4u

/* o->flags */
#define RC__F_FINALIZED 0x01u /* finalize ran (PEP 442: never again) */
#define RC__F_UNREACH 0x02u   /* tentatively unreachable, during move_unreachable */
#define RC__F_WEAKREFD 0x04u  /* weakrefs to it exist (see runtime.weak) */
#define RC__F_WASTRACKED 0x10u /* was tracked when its dealloc started */
#define RC__F_EXTREF 0x20u    /* plain garbage that holds a buffer or an outside reference */
#define RC__F_GENERAL 0x40u   /* dict: its keys are visited too (a non-str key was stored) */

typedef struct gchead {
	struct gchead *next, *prev;
} gchead;

#define AS_GC(o) ((gchead *)(o) - 1)
#define FROM_GC(g) ((rc_object *)((gchead *)(g) + 1))
#define IS_GC_TYPE(t) (((t)->flags & RC_TYPE_GC) != 0)

static inline void gcl_init(gchead *h) { h->next = h->prev = h; }
static inline bool gcl_empty(const gchead *h) { return h->next == h; }

static inline void gcl_append(gchead *n, gchead *list)
{
	gchead *last = list->prev;
	n->prev = last;
	n->next = list;
	last->next = n;
	list->prev = n;
}

static inline void gcl_prepend(gchead *n, gchead *list)
{
	gchead *first = list->next;
	n->next = first;
	n->prev = list;
	first->prev = n;
	list->next = n;
}

static inline void gcl_unlink(gchead *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
}

static inline void gcl_move(gchead *n, gchead *list)
{
	gcl_unlink(n);
	gcl_append(n, list);
}

/* Appends all of `from` to `to`, leaving `from` empty. */
static inline void gcl_merge(gchead *from, gchead *to)
{
	if (gcl_empty(from))
		return;
	gchead *tail = to->prev;
	tail->next = from->next;
	from->next->prev = tail;
	to->prev = from->prev;
	from->prev->next = to;
	gcl_init(from);
}

static inline size_t gcl_len(const gchead *h)
{
	size_t n = 0;
	for (const gchead *g = h->next; g != h; g = g->next)
		n++;
	return n;
}

/* Labels every object on the list with generation gen. */
static inline void gcl_relabel(gchead *h, unsigned gen)
{
	for (gchead *g = h->next; g != h; g = g->next)
		((rc_object *)(g + 1))->gen = (uint8_t)gen;
}

/* The built-in allocator (pool.c): its state is the user data of rc__pool_allocator. */
typedef struct rc__pool_state rc__pool_state;

struct gc_callback {
	rc_gc_callback fn;
	void *ud;
};

struct weak_slot {
	rc_object *target; /* NULL: empty */
	rc_object *head;   /* newest weakref to target */
};

struct gen {
	gchead head;
	long threshold;
	long count;
};

struct rc_runtime {
	/* memory */
	rc_alloc_fn alloc; /* never NULL: rc__pool_allocator when the config gave none */
	void *alloc_ud;
	rc__pool_state *own_pool; /* the pool state rc_runtime_new made (alloc_ud), or NULL */
	rc_mem_stats mem;
	unsigned flags;

	/* collector */
	struct gen gens[RC_GC_GENERATIONS];
	gchead frozen;
	rc_gc_stats stats[RC_GC_GENERATIONS];
	int enabled;
	int collecting;
	int gc_due;        /* deferred mode: a collection waits for rc_gc_safepoint */
	int shutting_down; /* the last collection: no callbacks */
	int unsafe;        /* refcounts lowered or garbage half freed: no user code may run */
	int tearing_down;  /* RC_RUNTIME_FREE_ALL's teardown: deaths run no finalizer or callback */
	int debug;
	FILE *debug_stream;
	size_t long_lived_total;
	size_t long_lived_pending;
	rc_object *garbage; /* list, created lazily */
	struct gc_callback *callbacks;
	size_t ncallbacks, callbacks_cap;

	/* deallocation queue (no recursion per link) */
	int deallocating;
	gchead *dealloc_queue; /* singly linked through next */

	/* CPython's list free list (list.c): the blocks of up to RC__LIST_FREE_MAX dead lists,
	 * linked through their gchead's next, still allocated, for the next rc_list_new */
	gchead *list_free;
	unsigned list_nfree;
	bool list_free_on; /* off in the system-malloc mode: there every object is its own block */

	/* weakrefs: open addressing on the target's address */
	struct weak_slot *weak;
	size_t weak_cap, weak_used;

	rc_object none;
};

/* The collector's invariant (gc.c): user code never runs while rt->unsafe is set. Every place
 * that calls a hook other than traverse, a weakref callback or a gc callback says so with
 * RC__USER_CODE(rt); the debug build (RCGC_DEBUG) aborts there if the collector is mid-way. */
#ifdef RCGC_DEBUG
void rc__user_code_check(const rc_runtime *rt, const char *what);
#define RC__USER_CODE(rt, what) rc__user_code_check((rt), (what))
#else
#define RC__USER_CODE(rt, what) ((void)0)
#endif

/* mem.c: every allocation, through rt->alloc, counted in rt->mem */
void *rc__mem_alloc(rc_runtime *rt, size_t n);
void *rc__mem_calloc(rc_runtime *rt, size_t n); /* zero-filled */
void rc__mem_free(rc_runtime *rt, void *p, size_t n);
void *rc__mem_realloc(rc_runtime *rt, void *p, size_t o, size_t n);

/* pool.c: the default rc_alloc_fn. Its blocks of RC__POOL_LARGE_MIN bytes or more come
 * straight from mmap (zero-filled, and unmapped when freed). */
#define RC__POOL_LARGE_MIN ((size_t)256 << 10)
void *rc__pool_allocator(void *ud, void *ptr, size_t osize, size_t nsize);
rc__pool_state *rc__pool_new(void); /* NULL: out of memory */
void rc__pool_free(rc__pool_state *ps);  /* unmaps everything, blocks still in use too */
void rc__pool_stats(const rc__pool_state *ps, rc_mem_stats *out); /* arenas, large_bytes */
/* The system allocator (RC_RUNTIME_SYSTEM_MALLOC, RCGC_MALLOC=malloc): malloc, realloc, free. */
void *rc__system_allocator(void *ud, void *ptr, size_t osize, size_t nsize);

/* object.c */
size_t rc__instance_size(const rc_object *o);
/* into generation 0 */
static inline void rc__track(rc_runtime *rt, rc_object *o)
{
	o->gen = 0;
	gcl_append(AS_GC(o), &rt->gens[0].head);
}

static inline void rc__untrack(rc_object *o)
{
	gchead *g = AS_GC(o);
	gcl_unlink(g);
	g->next = g->prev = NULL;
	o->gen = RC__GEN_NONE;
}
/* Frees what waits in the dealloc queue (the outermost deallocation's loop). */
void rc__dealloc_drain(rc_runtime *rt);
/* Whether an object's death by refcount may run user code (a hook of a user type, a
 * finalizer, a weakref callback); the built-in atoms' deaths never do. */
bool rc__death_runs_user_code(const rc_object *o);
/* gc.c: the collection */
void rc__gc_on_alloc(rc_runtime *rt); /* a tracked-type object is being allocated (may collect) */
long rc__gc_collect(rc_runtime *rt, int gen); /* 0 when a collection is already running */
long rc__gc_collect_generations(rc_runtime *rt); /* the automatic choice of generation */
void rc__debug_repr(FILE *f, const rc_object *o);

/* gccheck.c: the collector's invariants, for tests and debug builds (RCGC_DEBUG). Each returns
 * 0 when they hold, else the number of the first broken rule (see gccheck.c). */
int rc__gc_verify(rc_runtime *rt);                   /* between collections, every list */
int rc__gc_check_gens(rc_runtime *rt, unsigned hi);  /* generations 0..hi, at any time */
bool rc__gc_debug_checks(void); /* whether collections check them (built with RCGC_DEBUG) */

/* weakref.c */
typedef struct rc__wrqueue {
	rc_object *head, *tail;
} rc__wrqueue;
void rc__weakrefs_on_death(rc_runtime *rt, rc_object *o);
/* Clears every weakref to o without calling back; queues those that have a callback and are
 * not garbage themselves (each with a new reference) for rc__weakref_call_pending. */
void rc__weakrefs_clear_for_gc(rc_runtime *rt, rc_object *o, rc__wrqueue *q);
void rc__weakref_call_pending(rc_runtime *rt, rc__wrqueue *q);
/* The collector's form (CPython's handle_weakrefs): a weakref that outlives its callback moves
 * to `old` labelled `label`; returns how many its callback freed (counted as collected). */
size_t rc__weakref_call_pending_gc(rc_runtime *rt, rc__wrqueue *q, gchead *old, unsigned label);
void rc__weakref_detach(rc_runtime *rt, rc_object *wr);
/* Clears every weakref to o, calling no callback (RC_RUNTIME_FREE_ALL's teardown). */
void rc__weakrefs_clear_silently(rc_runtime *rt, rc_object *o);
rc_object *rc__weak_chain(const rc_runtime *rt, const rc_object *target);

/* The list free list (rc_list_new takes from it). CPython keeps 80 dead lists, their item
 * buffers freed, so that a program's steady churn of small lists costs no allocator call; so
 * does a runtime, except in the system-malloc mode, whose point is that tools see every
 * object's own malloc and free. The blocks stay allocated, and counted live, until reused or
 * given back by rc__list_free_release (a full collection, as CPython's clears its free lists,
 * and rc_runtime_free). rc__list_keep takes a dead list's
 * block (its dealloc done, untracked) when there is room, else returns false and the caller
 * frees it. */
#define RC__LIST_FREE_MAX 80u /* CPython's PyList_MAXFREELIST */
static inline bool rc__list_keep(rc_runtime *rt, rc_object *o)
{
	if (rt->list_nfree >= RC__LIST_FREE_MAX || !rt->list_free_on)
		return false;
	gchead *g = AS_GC(o);
	g->next = rt->list_free;
	rt->list_free = g;
	rt->list_nfree++;
	return true;
}
void rc__list_free_release(rc_runtime *rt);

/* tuple.c, dict.c: CPython's untracking rules. With `loose`, a tracked tuple among the items
 * counts as one that may be untracked too (the collector's first, cheap sift). */
bool rc__tuple_may_untrack(const rc_object *t, bool loose);
bool rc__dict_may_untrack(const rc_object *d, bool loose);
/* Releases the dict's table and its references to the keys and values for which
 * release(o, arg) is true; the dict is left empty (the collector frees plain garbage so). */
void rc__dict_release(rc_runtime *rt, rc_object *d,
		      bool (*release)(const rc_object *, const void *), const void *arg);
/* "may be tracked" (CPython's _PyObject_GC_MAY_BE_TRACKED) */
static inline bool rc__may_be_tracked(const rc_object *o)
{
	return IS_GC_TYPE(o->type) && (o->type != &rc_tuple_type || o->gen != RC__GEN_NONE);
}

/* list internals shared with gc.c for fast paths. A list of capacity 0 or 1 keeps its item
 * inline (no buffer): a one-item list is one 48-byte block, and scanning it reads nothing else. */
typedef struct rc__list {
	rc_object ob;
	uint32_t size, cap;
	union {
		rc_object **items; /* cap > 1 */
		rc_object *one;    /* cap <= 1 */
	} u;
} rc__list;

static inline rc_object **rc__list_items(rc__list *l)
{
	return l->cap > 1 ? l->u.items : &l->u.one;
}

typedef struct rc__tuple {
	rc_object ob;
	size_t size;
	rc_object *items[];
} rc__tuple;

#endif
