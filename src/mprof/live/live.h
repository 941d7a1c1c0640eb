/* live.h - the live view's model: what `mprof run --live` and `mprof top` show, as numbers.
 *
 * The model is fed from a profile as it is read (whole .dat lines, in chunks, or replayed by
 * time) and, during `mprof run --live`, from the few things the .dat does not hold: brackets
 * being opened (the trace channel's B events) and, with -C alone, the tree's members. The
 * painter (view.c, ncurses) only draws what the queries here return; nothing here draws.
 *
 * Invariants: samples are kept in time order in rings of three resolutions: at most one entry
 * per 2 ms, per 50 ms and per second (the highest of the samples merged, at the time of the
 * first), so that whatever the sampling rate the finest covers at least 524 s and the coarsest
 * 4.5 h, and a chart of any window reads a few thousand entries at most, not every sample
 * (mp_live_chart picks the coarsest resolution finer than a quarter of a column). The
 * open-bracket stack holds the profiled program's brackets only (a child's or another
 * thread's would interleave).
 */
#ifndef MP_LIVE_H
#define MP_LIVE_H

#include <stddef.h>
#include <sys/types.h>

#include "dat.h"

#define MP_LIVE_LEVELS 3
#define MP_LIVE_STACK 32
#define MP_LIVE_GCS 1024
#define MP_LIVE_PROCS 256
#define MP_LIVE_NAME 96

typedef struct mp_live_bracket {
	char name[MP_LIVE_NAME];
	double t0, t1;     /* t1 0: still open */
	double m0, m1;     /* MiB; m1 of an open bracket: the latest sample's memory */
	int level;
} mp_live_bracket;

typedef struct mp_live_proc {
	long pid;
	double mem, t; /* MiB at its latest sample, and when */
} mp_live_proc;

/* Samples at one resolution: entries at least `gap` seconds apart, oldest at `head`. */
typedef struct mp_live_ring {
	struct { double t, mem; } *e;
	size_t cap, head, count;
	double gap;
} mp_live_ring;

typedef struct mp_live {
	char cmdline[256];
	long pid;               /* the profiled program (META pid=), 0 unknown */
	double t_first;         /* the first sample's time; 0 before it */
	double t_last;          /* the latest time seen in the data */
	double mem;             /* the latest sample, MiB */
	double peak, peak_t;    /* the highest MEM or PEAK so far, and when */
	unsigned long long samples;
	mp_live_ring rings[MP_LIVE_LEVELS]; /* finest first */

	unsigned long gc_runs[4]; /* per generation 0, 1, 2; [3] any higher */
	unsigned long gc_total;
	struct { double t0, t1, m0, m1; long collected; int gen; } gc_last;
	double gc_marks[MP_LIVE_GCS]; /* start times of recent collections (a ring) */
	int gc_mark_gen[MP_LIVE_GCS];
	size_t gc_mark_head, gc_mark_count;

	mp_live_bracket stack[MP_LIVE_STACK]; /* the open brackets, outermost first */
	int depth;
	int have_begins;        /* B events arrive: the stack is known */
	mp_live_bracket last;   /* the latest finished bracket; name "" none */

	mp_live_proc procs[MP_LIVE_PROCS];
	size_t nprocs;

	int exited, status;     /* an EXIT line was read */
	double exit_t;
} mp_live;

/* Returns a new, empty model, or NULL (out of memory). */
mp_live *mp_live_new(void);
void mp_live_free(mp_live *m);

/* Feeds the model from `p`, a profile read from a chunk of whole lines (or a whole file). */
void mp_live_add_profile(mp_live *m, const mp_profile *p);

/* Single items, in time order per kind (memory in MiB, times in epoch seconds). */
void mp_live_add_sample(mp_live *m, double t, double mem);
void mp_live_add_peak(mp_live *m, double t, double mem);
void mp_live_add_call(mp_live *m, const char *name, int level, long pid, double t0, double m0,
		      double t1, double m1);
void mp_live_add_gc(mp_live *m, const mp_gc *g);
void mp_live_add_child(mp_live *m, long pid, double t, double mem);
void mp_live_add_exit(mp_live *m, int status, double t);

/* A line of the feed mprof run --live sends beside the profile (docs/live.md):
 *   B pid level t rss name     a bracket opened (the trace channel's event, rss in bytes)
 *   C pid mem t                one tree member's memory in bytes at a sample (-C without -M)
 * Returns 0, or -1 for a line that is neither (it is ignored). */
int mp_live_add_feed_line(mp_live *m, const char *line, size_t len);

/* The chart: for each of `ncols` columns covering (t_end - window, t_end], the highest sample
 * in it (out[i] < 0: none) and, in gc[i], the generation + 1 of the oldest-generation
 * collection that started in it (0: none). Returns the highest value over the columns. A
 * sample is placed by the time of its ring entry, at most a quarter of a column early. */
double mp_live_chart(const mp_live *m, double t_end, double window, int ncols, double *out,
		     int *gc);

/* The tree's members, largest first, at most `max` of them, seen within `fresh` seconds of
 * the latest sample. Returns how many. */
size_t mp_live_top_procs(const mp_live *m, double fresh, mp_live_proc *out, size_t max);

#endif
