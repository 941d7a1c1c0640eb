/* profile.h - the profile model's queries: a profile as the reader fills it (dat.h), asked
 * for its peak and a function's peak. Pure functions over sorted arrays; nothing is cached. */
#ifndef MP_PROFILE_H
#define MP_PROFILE_H

#include "dat.h"

/* The true peak: the highest MEM or PEAK value, and the time it was read. Returns 0, or
 * MP_ENOSAMPLES when the file has neither. */
int mp_profile_peak(const mp_profile *p, double *mem, double *t);

/* `mprof peak --func NAME`: the highest MEM value read while some call of function `name` was
 * running (entry <= t <= exit), as memory_profiler counts it, or PEAK value reached then: an
 * exact PEAK stamped inside a call, an interval's PEAK only when its whole interval
 * [peak_since, t] lies inside one. Returns 0, MP_ENOFUNC
 * when no function has that name, MP_ENOSAMPLE when no sample fell inside its calls. */
int mp_profile_peak_func(const mp_profile *p, const char *name, double *mem);

/* The index of function `name` in p->fnames, or -1. */
long mp_profile_find_func(const mp_profile *p, const char *name);

/* The calls grouped by function, built in one pass (a counting sort): function fn's calls are
 * order[first[fn]] .. order[first[fn + 1] - 1], indices into p->calls in entry-time order.
 * Lets plot and export visit every function's calls in O(calls + functions), not their
 * product. */
typedef struct mp_func_index {
	size_t *order; /* p->ncalls call indices */
	size_t *first; /* p->nfnames + 1 offsets into order */
} mp_func_index;

/* Returns 0 or -ENOMEM (then `ix` holds nothing). */
int mp_func_index_build(const mp_profile *p, mp_func_index *ix);
void mp_func_index_release(mp_func_index *ix);

/* The highest of a child's samples; its pid's points must be non-empty. */
double mp_child_peak(const mp_child *c);

#endif
