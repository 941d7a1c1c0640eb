/* mprof/trace.h - tell mprof what a program is doing: brackets, markers, GC runs.
 *
 * A program linked with libmprof_trace reports events to the `mprof run` that started it,
 * through the channel whose fd mprof names in the environment variable MPROF_TRACE_FD
 * (docs/trace-protocol.md). Each event is one line sent with one write of at most 512 bytes,
 * sent when it happens: a program that crashes or is killed keeps every bracket it finished.
 *
 * Outside mprof (no MPROF_TRACE_FD) every call below costs one predictable branch and does
 * nothing else. The channel is found once, when the library is loaded.
 *
 * Brackets nest per thread. A name passed to mprof_begin must stay valid until the matching
 * mprof_end (string literals and __func__ always do). Names may hold any byte but NUL; a
 * newline is sent as '?'. A name longer than fits in one event is cut.
 *
 * Process-wide state (the only state this library has): the channel fd, the process's
 * /proc/self/statm fd, its ring slot and the tracker's mapping (all reset in a forked child
 * by a pthread_atfork handler); and one bracket stack per thread.
 */
#ifndef MPROF_TRACE_H
#define MPROF_TRACE_H

#include <gclab/version.h>

/* The version of libmprof_trace these declarations belong to (gclab's). */
#define MPROF_TRACE_VERSION_MAJOR GCLAB_VERSION_MAJOR
#define MPROF_TRACE_VERSION_MINOR GCLAB_VERSION_MINOR
#define MPROF_TRACE_VERSION_PATCH GCLAB_VERSION_PATCH
#define MPROF_TRACE_VERSION_STRING GCLAB_VERSION_STRING

#ifdef __cplusplus
extern "C" {
#endif

/* Marks what libmprof_trace exports (it is built with hidden visibility). The mprof__ names
 * are exported only because the inline functions below call them: they are not an API. */
#if defined(__GNUC__)
#define MPROF_API __attribute__((visibility("default")))
#else
#define MPROF_API
#endif

#if defined(__GNUC__)
#define MPROF__LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define MPROF__LIKELY(x) (x)
#endif

/* The trace protocol's constants (docs/trace-protocol.md), shared by both ends of the channel:
 * libmprof_trace and mprof's reader here, python/mprof_trace.py by citation. */
#define MPROF_TRACE_ENV "MPROF_TRACE_FD" /* names the channel's fd, in decimal */
#define MPROF_TRACE_EVENT_MAX 512        /* bytes in one event line, its newline included */
/* Set to "1" by `mprof run --live`: emitters then also send a B event when a bracket opens, so
 * that a live view can show the open brackets. Without it nothing is sent at begin. */
#define MPROF_TRACE_BEGIN_ENV "MPROF_TRACE_BEGIN"

/* The fast path (docs/trace-protocol.md, "The ring and the kernel's figures"), offered by
 * `mprof run` only while its kernel peak tracker runs (--peaks=auto|bpf):
 * - MPROF_TRACE_RSS names a read-only fd of the tracker's array of MPROF_TRACE_RSS_SLOTS
 *   64-bit words, mmapped by the emitter: word pid % SLOTS holds (pid << 42) | resident pages
 *   of process pid, updated by the kernel at every change of its memory. A word whose pid is
 *   not the reader's says nothing: the emitter then reads /proc/self/statm.
 * - MPROF_TRACE_RING names a sealed memfd of MPROF_TRACE_RING_SLOTS slots of
 *   MPROF_TRACE_RING_SLOT_SIZE bytes, shared with mprof. A process claims one slot with a
 *   POSIX write lock on the slot's first byte (dropped by the kernel when it dies, never
 *   inherited by a fork) and appends its finished brackets there as F lines; mprof reads
 *   them at every sample and at the program's end, so a program killed with kill -9 keeps
 *   them. A slot's first 64 bytes hold `head` (bytes ever written, the writer's), the next 64
 *   `tail` (bytes mprof has read, mprof's), the next 64 the owner's pid; the data, a circle
 *   of MPROF_TRACE_RING_CAP bytes, starts at MPROF_TRACE_RING_DATA: byte k of the stream is
 *   at data[k % CAP]. */
#define MPROF_TRACE_RSS_ENV "MPROF_TRACE_RSS"
#define MPROF_TRACE_RSS_SLOTS 1024
#define MPROF_TRACE_RSS_PID_SHIFT 42
#define MPROF_TRACE_RING_ENV "MPROF_TRACE_RING"
#define MPROF_TRACE_RING_SLOTS 16
#define MPROF_TRACE_RING_CAP (256 * 1024) /* data bytes in a slot: a power of two */
#define MPROF_TRACE_RING_DATA 4096        /* byte offsets in a slot */
#define MPROF_TRACE_RING_SLOT_SIZE (MPROF_TRACE_RING_DATA + MPROF_TRACE_RING_CAP)
#define MPROF_TRACE_RING_HEAD 0
#define MPROF_TRACE_RING_TAIL 64
#define MPROF_TRACE_RING_OWNER 128

/* The channel's fd, or -1 when the program is not run by mprof. Read-only for users. */
MPROF_API extern int mprof__trace_fd;

MPROF_API void mprof__begin(const char *name);
MPROF_API void mprof__end(void);
/* For libmprof_instrument (compiler instrumentation, docs/c-programs.md): mprof__end, except
 * that a bracket that lasted less than min_ns is dropped, not sent. */
MPROF_API void mprof__end_min(long long min_ns);
MPROF_API void mprof__mark(const char *name);
MPROF_API void mprof__gc_start(int generation);
MPROF_API void mprof__gc_stop(int generation, long collected, long uncollectable,
			      long candidates);
/* Which paths this process's emitter uses now: MPROF__PATH_RING when it owns a ring slot,
 * MPROF__PATH_KERNEL_RSS when its memory figures come from the tracker. For tests. */
#define MPROF__PATH_RING 1
#define MPROF__PATH_KERNEL_RSS 2
MPROF_API int mprof__paths(void);

/* 1 when the program runs under `mprof run` and events are being sent, else 0. */
static inline int mprof_enabled(void) { return mprof__trace_fd >= 0; }

/* Opens a bracket named `name` on the calling thread: records the time and the process's
 * resident memory now. Nothing is sent until the matching mprof_end, unless mprof asked for
 * begin events (MPROF_TRACE_BEGIN_ENV, `mprof run --live`): then one B event is sent now. */
static inline void mprof_begin(const char *name)
{
	if (MPROF__LIKELY(mprof__trace_fd < 0))
		return;
	mprof__begin(name);
}

/* Closes the innermost open bracket of the calling thread and sends it as one event (name,
 * memory and time at begin and end, nesting level, 0 = outermost). An end with no open
 * bracket is ignored. */
static inline void mprof_end(void)
{
	if (MPROF__LIKELY(mprof__trace_fd < 0))
		return;
	mprof__end();
}

/* Sends a named marker: one instant, with the process's resident memory then. */
static inline void mprof_mark(const char *name)
{
	if (MPROF__LIKELY(mprof__trace_fd < 0))
		return;
	mprof__mark(name);
}

/* A garbage collection of `generation` starts on the calling thread. */
static inline void mprof_gc_start(int generation)
{
	if (MPROF__LIKELY(mprof__trace_fd < 0))
		return;
	mprof__gc_start(generation);
}

/* The collection begun by the last mprof_gc_start on this thread ended: `collected` objects
 * freed, `uncollectable` left in garbage, `candidates` examined (-1 when unknown). Sends one
 * event with the start and end times and memory. A stop with no start is ignored. */
static inline void mprof_gc_stop(int generation, long collected, long uncollectable,
				 long candidates)
{
	if (MPROF__LIKELY(mprof__trace_fd < 0))
		return;
	mprof__gc_stop(generation, collected, uncollectable, candidates);
}

#if defined(__GNUC__)
static inline void mprof__scope_end(int *unused)
{
	(void)unused;
	mprof_end();
}
#define MPROF__CAT2(a, b) a##b
#define MPROF__CAT(a, b) MPROF__CAT2(a, b)
/* Brackets the rest of the enclosing block: ends it however the block is left. */
#define MPROF_SCOPE(name)                                                                      \
	int MPROF__CAT(mprof__scope_, __LINE__) __attribute__((cleanup(mprof__scope_end), unused)) = \
		(mprof_begin(name), 0)
/* Brackets the rest of the enclosing function under the function's own name. */
#define MPROF_FUNCTION() MPROF_SCOPE(__func__)
#endif

#ifdef __cplusplus
}
#endif
#endif /* MPROF_TRACE_H */
