/* rcgc.h - reference-counted objects with CPython's generational cycle collector, in C.
 *
 * A runtime (rc_runtime) owns every object, the allocator and the collector; there is no
 * global state, so a program may run several runtimes side by side (one thread per runtime:
 * nothing here locks).
 *
 * OWNERSHIP RULE (CPython's): arguments are BORROWED; returned objects are NEW references
 * that the caller must release with rc_decref. A function that steals its argument has
 * `_steal` in its name; a function that returns a borrowed reference says "borrowed" in its
 * comment (rc_list_get, rc_dict_get, rc_weakref_get, rc_none, rc_gc_garbage).
 *
 * ERRORS: functions that can fail return 0 or a negative RC_E* code (rc_strerror gives the
 * text); constructors return NULL only when memory ran out or an argument is unusable (a NULL
 * string, an unknown dtype, None as a weakref target), and then change nothing. Nothing
 * here prints (except the DEBUG_* output, to the stream set by rc_gc_set_debug_stream),
 * exits or aborts on bad input.
 *
 * The collector is CPython 3.13's: three generations, thresholds (2000, 10, 10), the 25% rule
 * for full collections, PEP 442 finalizers, weakrefs cleared before finalizers run, legacy
 * finalizers kept in the garbage list. Collections are reported to mprof through
 * include/mprof/trace.h. docs/rcgc.md maps every function to Python's gc module.
 */
#ifndef RCGC_H
#define RCGC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gclab/version.h>

/* The version of rcgc these declarations belong to (gclab's: one version for the project). */
#define RCGC_VERSION_MAJOR GCLAB_VERSION_MAJOR
#define RCGC_VERSION_MINOR GCLAB_VERSION_MINOR
#define RCGC_VERSION_PATCH GCLAB_VERSION_PATCH
#define RCGC_VERSION_STRING GCLAB_VERSION_STRING

#ifdef __cplusplus
extern "C" {
#endif

/* Marks the functions librcgc exports; the library is built with hidden visibility, so nothing
 * else leaves it. */
#if defined(__GNUC__)
#define RC_API __attribute__((visibility("default")))
#else
#define RC_API
#endif

/* ------------------------------------------------------------------------------------------
 * Errors */

enum {
	RC_OK = 0,
	RC_ENOMEM = -1,  /* out of memory */
	RC_EINVAL = -2,  /* invalid argument */
	RC_EGEN = -3,    /* invalid generation */
	RC_ETYPE = -4,   /* object of the wrong type */
	RC_EINDEX = -5,  /* index out of range */
	RC_EKEY = -6,    /* key not found */
	RC_EBUSY = -7,   /* not allowed while a collection runs */
	RC_ENOENT = -8,  /* no such entry (e.g. callback not registered) */
};

/* The text for an error code ("out of memory"); "unknown error" for anything else. */
RC_API const char *rc_strerror(int err);

/* ------------------------------------------------------------------------------------------
 * Runtime and memory */

typedef struct rc_runtime rc_runtime;

/* An allocator in the style of Lua's lua_Alloc: with nsize > 0 it (re)allocates ptr (NULL for
 * a new block) from osize to nsize bytes and returns the block or NULL; with nsize == 0 it frees
 * ptr (osize bytes) and returns NULL. Blocks must be aligned for any object (16 bytes). */
typedef void *(*rc_alloc_fn)(void *ud, void *ptr, size_t osize, size_t nsize);

enum {
	/* Automatic collections do not run inside allocations: an allocation that crosses the
	 * threshold only marks a collection due, and it runs at the next rc_gc_safepoint. */
	RC_RUNTIME_DEFERRED_GC = 1u << 0,
	/* Every allocation goes to the C library's malloc/realloc/free, one block per object,
	 * instead of the built-in pools, so that valgrind, heaptrack and ASan see each object
	 * (CPython's PYTHONMALLOC=malloc). Only when cfg->alloc is NULL. The environment
	 * variable RCGC_MALLOC=malloc does the same for every runtime created without an
	 * allocator. */
	RC_RUNTIME_SYSTEM_MALLOC = 1u << 1,
	/* rc_runtime_free frees every object it can find, not only what the last collection
	 * frees: the uncollectable cycles of legacy finalizers (without calling them) and the
	 * containers the program never released. For a leak checker's clean bill at exit. */
	RC_RUNTIME_FREE_ALL = 1u << 2,
};

typedef struct rc_runtime_config {
	rc_alloc_fn alloc; /* NULL: the built-in small-object allocator (arenas + size classes;
	                    * big blocks go straight to mmap so their memory leaves the process) */
	void *alloc_ud;
	unsigned flags;    /* RC_RUNTIME_* */
} rc_runtime_config;

/* Creates a runtime; cfg may be NULL for the defaults. Returns NULL when out of memory. */
RC_API rc_runtime *rc_runtime_new(const rc_runtime_config *cfg);

/* Releases the runtime, in this order: unfreezes the frozen objects and runs a last full
 * collection (no gc callbacks, as CPython's shutdown collection); reports what rc_gc_garbage
 * then holds under DEBUG_UNCOLLECTABLE (not under DEBUG_SAVEALL); empties rc_gc_garbage and,
 * if it held anything, collects once more, quietly; frees what the runtime itself holds.
 * NOT freed: unreachable cycles holding a legacy finalizer (uncollectable, as in CPython) and
 * objects the program still references; with a custom allocator they stay allocated, with the
 * built-in one their arenas are unmapped, so they must not be used afterwards. With
 * RC_RUNTIME_FREE_ALL every tracked object is freed too, without finalizers or callbacks
 * (docs/rcgc.md). Not to be called from a finalizer or callback of the same runtime. */
RC_API void rc_runtime_free(rc_runtime *rt);

typedef struct rc_mem_stats {
	size_t live_bytes;   /* bytes requested and not yet freed (the list free list's blocks,
	                      * at most 80 dead lists kept for reuse, count until a full
	                      * collection or rc_runtime_free gives them back) */
	size_t peak_bytes;   /* highest live_bytes so far */
	uint64_t allocs;     /* successful allocation calls (realloc counts as one) */
	uint64_t frees;      /* free calls */
	size_t arena_bytes;  /* built-in allocator: bytes of arenas held (0 with a custom one) */
	size_t arenas;       /* built-in allocator: arenas held */
	size_t large_bytes;  /* built-in allocator: bytes in blocks given straight to the system */
} rc_mem_stats;

RC_API void rc_mem_get_stats(const rc_runtime *rt, rc_mem_stats *out);

/* Memory for user types (buffers an object owns), counted with the rest. rc_free and
 * rc_realloc must get the size the block was allocated with. */
RC_API void *rc_alloc(rc_runtime *rt, size_t size);
RC_API void *rc_realloc(rc_runtime *rt, void *ptr, size_t osize, size_t nsize);
RC_API void rc_free(rc_runtime *rt, void *ptr, size_t size);

/* ------------------------------------------------------------------------------------------
 * Objects and types */

typedef struct rc_object rc_object;
typedef struct rc_type rc_type;

/* Every object starts with this header. Only rc_* functions touch its fields. */
struct rc_object {
	uint32_t refcnt;     /* CPython 3.12+ also keeps a 32-bit count on 64-bit machines */
	uint8_t gen;         /* private: generation 0..2, 3 frozen, RC__GEN_NONE untracked */
	uint8_t flags;       /* private: RC__F_* */
	uint16_t aux;        /* private: free for the object's type (unused by user types) */
	const rc_type *type;
};

#define RC__GEN_NONE 0xFFu

/* Called by traverse for each object reference the object holds (NULL references may be
 * passed and are ignored). */
typedef void (*rc_visit_fn)(rc_object *child, void *arg);

enum {
	/* Instances may hold references to other objects: they carry a collector header, are
	 * tracked from creation, and the type must give traverse and clear. */
	RC_TYPE_GC = 1u << 0,
};

/* A type descriptor; the built-in types use this very structure. Hooks may be NULL. */
struct rc_type {
	const char *name;   /* shown in DEBUG_* output: "<name 0x...>" */
	size_t size;        /* bytes of an instance, header included; at least sizeof(rc_object) */
	unsigned flags;     /* RC_TYPE_* */
	/* Calls visit(child, arg) for every reference held; must not change any refcount. */
	void (*traverse)(rc_object *self, rc_visit_fn visit, void *arg);
	/* Drops the references that may form cycles (the collector calls it on garbage). The
	 * object must stay valid for dealloc afterwards (store NULL where a reference was). */
	void (*clear)(rc_runtime *rt, rc_object *self);
	/* PEP 442 finalizer: called before the object dies, by refcount or in a collection, at
	 * most once for a RC_TYPE_GC object (at each death for others, as CPython); it may
	 * resurrect the object by storing a new reference. */
	void (*finalize)(rc_runtime *rt, rc_object *self);
	/* Legacy finalizer (CPython's tp_del): an unreachable cycle holding such an object is not
	 * freed but kept in rc_gc_garbage, as CPython does. Called when the object dies by refcount. */
	void (*legacy_del)(rc_runtime *rt, rc_object *self);
	/* Releases everything the object owns (decref its references, free its buffers); the
	 * runtime then frees the object's own memory. */
	void (*dealloc)(rc_runtime *rt, rc_object *self);
	/* Bytes of this instance when it differs from `size` (variable-sized objects). */
	size_t (*instance_size)(const rc_object *self);
};

/* Allocates an instance of `type` (type->size bytes plus `extra`, zero-filled, refcount 1).
 * A RC_TYPE_GC instance is tracked at once (its zeroed fields traverse as NULL); creating one
 * counts toward generation 0 and may run an automatic collection first. NULL when out of
 * memory or when `type` is invalid. For a type using `extra`, instance_size must return the
 * same total. */
RC_API rc_object *rc_new(rc_runtime *rt, const rc_type *type, size_t extra);

RC_API void rc__dealloc(rc_runtime *rt, rc_object *o);

static inline rc_object *rc_incref(rc_object *o)
{
	o->refcnt++;
	return o;
}

static inline void rc_xincref(rc_object *o)
{
	if (o)
		o->refcnt++;
}

/* Releases a reference; the object is freed at once when it was the last (its finalizer runs
 * first). Freeing never recurses per link: a chain a million deep is fine. */
static inline void rc_decref(rc_runtime *rt, rc_object *o)
{
	if (--o->refcnt == 0)
		rc__dealloc(rt, o);
}

static inline void rc_xdecref(rc_runtime *rt, rc_object *o)
{
	if (o)
		rc_decref(rt, o);
}

/* Replaces *slot (a reference the caller owns) with a new reference to v (may be NULL). */
static inline void rc_setref(rc_runtime *rt, rc_object **slot, rc_object *v)
{
	rc_object *old = *slot;
	rc_xincref(v);
	*slot = v;
	rc_xdecref(rt, old);
}

static inline uint32_t rc_refcnt(const rc_object *o) { return o->refcnt; }
static inline const rc_type *rc_typeof(const rc_object *o) { return o->type; }

/* ------------------------------------------------------------------------------------------
 * Built-in types. Atoms (None, int, float, str, array) hold no references and are never
 * tracked. Constructors return new references or NULL when out of memory. */

RC_API extern const rc_type rc_none_type, rc_int_type, rc_float_type, rc_str_type;
RC_API extern const rc_type rc_tuple_type, rc_list_type, rc_dict_type;
RC_API extern const rc_type rc_array_type, rc_weakref_type;

/* The runtime's None (borrowed; rc_incref it to store it). */
RC_API rc_object *rc_none(rc_runtime *rt);

RC_API rc_object *rc_int_new(rc_runtime *rt, int64_t v);
RC_API int64_t rc_int_value(const rc_object *o); /* 0 for a non-int */
RC_API rc_object *rc_float_new(rc_runtime *rt, double v);
RC_API double rc_float_value(const rc_object *o); /* 0.0 for a non-float */

/* A str holds a copy of len bytes (any bytes; a NUL is appended after them). */
RC_API rc_object *rc_str_new(rc_runtime *rt, const char *s, size_t len);
RC_API rc_object *rc_str_from(rc_runtime *rt, const char *cstr);
RC_API const char *rc_str_data(const rc_object *o); /* NULL for a non-str */
RC_API size_t rc_str_len(const rc_object *o);

/* Tuple of n items, NULL until set; tracked at creation (except the empty tuple), and
 * untracked by a collection that finds it holds only untracked objects (CPython's rule). */
RC_API rc_object *rc_tuple_new(rc_runtime *rt, size_t n);
/* Tuple of n items taken from items[] (borrowed; each gets a new reference). */
RC_API rc_object *rc_tuple_pack(rc_runtime *rt, size_t n, rc_object *const *items);
RC_API size_t rc_tuple_size(const rc_object *t);
/* Item i, borrowed; NULL if unset or out of range. */
RC_API rc_object *rc_tuple_get(const rc_object *t, size_t i);
/* Replaces item i with v (borrowed). For filling a tuple being built. */
RC_API int rc_tuple_set(rc_runtime *rt, rc_object *t, size_t i, rc_object *v);

RC_API rc_object *rc_list_new(rc_runtime *rt);
RC_API size_t rc_list_size(const rc_object *l);
RC_API int rc_list_append(rc_runtime *rt, rc_object *l, rc_object *v);
/* Appends v, stealing the caller's reference to it, even when it fails. */
RC_API int rc_list_append_steal(rc_runtime *rt, rc_object *l, rc_object *v);
RC_API rc_object *rc_list_get(const rc_object *l, size_t i); /* borrowed; NULL if out of range */
RC_API int rc_list_set(rc_runtime *rt, rc_object *l, size_t i, rc_object *v);
/* Removes item i and stores it in *out (a new reference) or releases it when out is NULL. */
RC_API int rc_list_pop(rc_runtime *rt, rc_object *l, size_t i, rc_object **out);
RC_API int rc_list_clear(rc_runtime *rt, rc_object *l);

/* Dicts map keys to values. str, int and float keys compare by value, other keys by identity.
 * Untracked while they hold only atoms; tracked once a container is stored; untracked again
 * only by a full collection (CPython <= 3.13). */
RC_API rc_object *rc_dict_new(rc_runtime *rt);
RC_API size_t rc_dict_size(const rc_object *d);
RC_API int rc_dict_set(rc_runtime *rt, rc_object *d, rc_object *key, rc_object *value);
/* The value of key, borrowed; NULL if absent. */
RC_API rc_object *rc_dict_get(const rc_object *d, const rc_object *key);
RC_API int rc_dict_del(rc_runtime *rt, rc_object *d, const rc_object *key); /* RC_EKEY if absent */
RC_API int rc_dict_set_str(rc_runtime *rt, rc_object *d, const char *key, rc_object *value);
RC_API rc_object *rc_dict_get_str(const rc_object *d, const char *key); /* borrowed */
/* Iteration: *pos starts at 0; returns 1 and borrowed key/value while entries remain. */
RC_API int rc_dict_next(const rc_object *d, size_t *pos, rc_object **key, rc_object **value);

/* Numeric arrays: a flat buffer of int64 or float64 (numpy-like, no references). Buffers of
 * 256 KiB and more come straight from the system and go back to it when the array dies. */
typedef enum rc_dtype { RC_INT64 = 1, RC_FLOAT64 = 2 } rc_dtype;
RC_API rc_object *rc_array_new(rc_runtime *rt, rc_dtype dtype, size_t n); /* zero-filled */
RC_API size_t rc_array_len(const rc_object *a);
RC_API rc_dtype rc_array_dtype(const rc_object *a);
RC_API void *rc_array_data(rc_object *a);  /* int64_t* or double*; NULL for a non-array */
/* Fills the array with integers uniform in [lo, hi] from a PRNG seeded with `seed`
 * (xoshiro256**, reproducible). RC_EINVAL when lo > hi, RC_ETYPE for a non-array. */
RC_API int rc_array_fill_random(rc_object *a, int64_t lo, int64_t hi, uint64_t seed);
/* The mean of the elements into *out (0 for an empty array). */
RC_API int rc_array_mean(const rc_object *a, double *out);
/* rc_array_new + rc_array_fill_random: n random int64 in [lo, hi]. */
RC_API rc_object *rc_array_random_int(rc_runtime *rt, size_t n, int64_t lo, int64_t hi,
                                      uint64_t seed);

/* Weak references. A weakref does not keep its target alive; when the target dies (by
 * refcount or in a collection) the weakref is cleared and, if the weakref is still alive,
 * cb(rt, weakref, cb_data) is called once. From the moment the target's refcount reaches 0 the
 * weakref reads NULL. A weakref with neither cb nor cb_data is shared: asking for another
 * returns a new reference to the existing one (CPython's). cb_data (may be NULL) is held strongly by the
 * weakref. The newest weakref's callback runs first. Any object but None may be a target;
 * rc_weakref_new returns NULL for None or NULL (and when out of memory). */
typedef void (*rc_weakref_cb)(rc_runtime *rt, rc_object *weakref, rc_object *cb_data);
RC_API rc_object *rc_weakref_new(rc_runtime *rt, rc_object *target, rc_weakref_cb cb,
                                 rc_object *cb_data);
RC_API rc_object *rc_weakref_get(const rc_object *wr); /* borrowed target, NULL once cleared */
RC_API size_t rc_weakref_count(rc_runtime *rt, const rc_object *target);

/* ------------------------------------------------------------------------------------------
 * The collector: Python's gc module, function for function (docs/rcgc.md). */

#define RC_GC_GENERATIONS 3

enum {
	RC_GC_DEBUG_STATS = 1,
	RC_GC_DEBUG_COLLECTABLE = 2,
	RC_GC_DEBUG_UNCOLLECTABLE = 4,
	RC_GC_DEBUG_SAVEALL = 32,
	RC_GC_DEBUG_LEAK = 38, /* COLLECTABLE | UNCOLLECTABLE | SAVEALL */
};

/* gc.enable / gc.disable / gc.isenabled: only automatic collection is affected. enable and
 * disable return the previous state (PyGC_Enable/PyGC_Disable). */
RC_API int rc_gc_enable(rc_runtime *rt);
RC_API int rc_gc_disable(rc_runtime *rt);
RC_API int rc_gc_isenabled(const rc_runtime *rt);

/* gc.collect(generation): collects generations 0..gen (2 = full; a full collection also gives
 * the list free list's blocks back to the allocator, as CPython's). Returns the number of
 * unreachable objects found (collected + uncollectable), 0 when a collection is already
 * running (re-entrant call), RC_EGEN for a generation outside 0..2. */
RC_API long rc_gc_collect(rc_runtime *rt, int generation);

/* With RC_RUNTIME_DEFERRED_GC: runs the automatic collection that allocations made due, if
 * any. Returns what it found, or 0. Without the flag it does nothing and returns 0. */
RC_API long rc_gc_safepoint(rc_runtime *rt);

/* gc.get_count: allocations of tracked-type objects minus their deallocations since the last
 * generation-0 collection, gen-0 collections since the last gen-1, gen-1 since the last gen-2. */
RC_API void rc_gc_get_count(const rc_runtime *rt, long count[RC_GC_GENERATIONS]);
RC_API void rc_gc_get_threshold(const rc_runtime *rt, long threshold[RC_GC_GENERATIONS]);
/* gc.set_threshold(t0[, t1[, t2]]): n is 1..3 values; t0 == 0 disables automatic collection.
 * RC_EINVAL for n outside 1..3 or a negative value. */
RC_API int rc_gc_set_threshold(rc_runtime *rt, int n, const long *thresholds);

typedef struct rc_gc_stats {
	uint64_t collections;
	uint64_t collected;
	uint64_t uncollectable;
	uint64_t candidates;     /* objects examined (3.15's addition) */
	double duration;         /* seconds spent, total (3.15's addition): CLOCK_MONOTONIC, but
	                          * a generation-0 collection of fewer than 16 objects unobserved
	                          * (no callback, no DEBUG_STATS) reads the coarse clock, cheaper
	                          * than it: 0 or a tick each, right on average (docs/rcgc.md) */
} rc_gc_stats;

/* gc.get_stats: cumulative figures per generation since the runtime started. */
RC_API void rc_gc_get_stats(const rc_runtime *rt, rc_gc_stats stats[RC_GC_GENERATIONS]);

/* gc.get_objects(generation): a new list of the tracked objects of `generation` (0..2), or of
 * all three for -1; frozen objects are left out. RC_EGEN otherwise, RC_ENOMEM. */
RC_API int rc_gc_get_objects(rc_runtime *rt, int generation, rc_object **out);
/* gc.get_referrers(*objs): a new list of the tracked objects (not frozen) that refer
 * directly to any of objs[0..n). */
RC_API int rc_gc_get_referrers(rc_runtime *rt, rc_object *const *objs, size_t n, rc_object **out);
/* gc.get_referents(*objs): a new list of what objs[i]'s traverse visits, in its order, for
 * each object of a tracked type (list and tuple visit their items last to first, as CPython). */
RC_API int rc_gc_get_referents(rc_runtime *rt, rc_object *const *objs, size_t n, rc_object **out);

/* gc.is_tracked / gc.is_finalized. */
RC_API int rc_gc_is_tracked(const rc_object *o);
RC_API int rc_gc_is_finalized(const rc_object *o);
/* PyObject_GC_Track / PyObject_GC_UnTrack for objects of RC_TYPE_GC types (RC_ETYPE else). */
RC_API int rc_gc_track(rc_runtime *rt, rc_object *o);
RC_API int rc_gc_untrack(rc_runtime *rt, rc_object *o);

/* gc.freeze / gc.unfreeze / gc.get_freeze_count: move every tracked object to a permanent
 * generation that collections ignore, back into the oldest generation, count them. */
RC_API void rc_gc_freeze(rc_runtime *rt);
RC_API void rc_gc_unfreeze(rc_runtime *rt);
RC_API size_t rc_gc_get_freeze_count(const rc_runtime *rt);

/* gc.garbage: the runtime's list (borrowed) of uncollectable objects (legacy finalizers) and,
 * with DEBUG_SAVEALL, of everything found unreachable. The program may empty it. */
RC_API rc_object *rc_gc_garbage(rc_runtime *rt); /* NULL only when it could not be created */

/* gc.set_debug / gc.get_debug: flags are stored as given. Output goes to the stream set with
 * rc_gc_set_debug_stream (stderr when none was set), in CPython's words. */
RC_API void rc_gc_set_debug(rc_runtime *rt, int flags);
RC_API int rc_gc_get_debug(const rc_runtime *rt);
RC_API void rc_gc_set_debug_stream(rc_runtime *rt, FILE *stream);

/* gc.callbacks: cb(rt, phase, info, ud) before ("start") and after ("stop") every
 * collection, manual or automatic (not the one in rc_runtime_free). At start collected,
 * uncollectable and duration are 0. */
typedef enum rc_gc_phase { RC_GC_START = 0, RC_GC_STOP = 1 } rc_gc_phase;
typedef struct rc_gc_info {
	int generation;
	long collected;
	long uncollectable;
	long candidates; /* objects examined */
	double duration; /* seconds, CLOCK_MONOTONIC (a callback always gets the precise clock) */
} rc_gc_info;
typedef void (*rc_gc_callback)(rc_runtime *rt, rc_gc_phase phase, const rc_gc_info *info,
                               void *ud);
/* Appends a callback (the same pair may be added twice). RC_ENOMEM. */
RC_API int rc_gc_callback_add(rc_runtime *rt, rc_gc_callback cb, void *ud);
/* Removes the first registration of (cb, ud). RC_ENOENT if there is none. */
RC_API int rc_gc_callback_remove(rc_runtime *rt, rc_gc_callback cb, void *ud);

#ifdef __cplusplus
}
#endif
#endif /* RCGC_H */
