/* profile.c - questions asked of a profile as read (dat.h): its peak, a function's peak.
 * A PEAK counts for a function only when its maximum certainly fell inside one of its calls. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

int mp_profile_peak(const mp_profile *p, double *mem, double *t)
{
	const mp_point *best = NULL;
	for (size_t i = 0; i < p->nmem; i++)
		if (!best || p->mem[i].mem > best->mem)
			best = &p->mem[i];
	for (size_t i = 0; i < p->npeaks; i++)
		if (!best || p->peaks[i].mem > best->mem)
			best = &p->peaks[i];
	if (!best)
		return MP_ENOSAMPLES;
	if (mem)
		*mem = best->mem;
	if (t)
		*t = best->t;
	return 0;
}

long mp_profile_find_func(const mp_profile *p, const char *name)
{
	for (size_t i = 0; i < p->nfnames; i++)
		if (!strcmp(p->fnames[i], name))
			return (long)i;
	return -1;
}

/* The first point at or after time t (binary search). */
static size_t lower_bound(const mp_point *a, size_t n, double t)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a[mid].t < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int max_in(const mp_point *a, size_t n, double t0, double t1, double *best, int found)
{
	for (size_t i = lower_bound(a, n, t0); i < n && a[i].t <= t1; i++) {
		if (!found || a[i].mem > *best)
			*best = a[i].mem;
		found = 1;
	}
	return found;
}

/* The PEAKs whose maximum certainly happened within [t0, t1]: an exact one stamped inside, an
 * interval's only when the whole interval lies inside (defect: a PEAK stamped at its
 * interval's end credited a function with the peak of the one before). */
static int max_peak_in(const mp_profile *p, double t0, double t1, double *best, int found)
{
	for (size_t i = lower_bound(p->peaks, p->npeaks, t0); i < p->npeaks && p->peaks[i].t <= t1;
	     i++) {
		double since = p->peak_since ? p->peak_since[i] : p->peaks[i].t;
		if (since < t0)
			continue;
		if (!found || p->peaks[i].mem > *best)
			*best = p->peaks[i].mem;
		found = 1;
	}
	return found;
}

int mp_profile_peak_func(const mp_profile *p, const char *name, double *mem)
{
	long fn = mp_profile_find_func(p, name);
	if (fn < 0)
		return MP_ENOFUNC;
	double best = 0;
	int found = 0;
	for (size_t i = 0; i < p->ncalls; i++) {
		const mp_call *c = &p->calls[i];
		if (c->fn != (size_t)fn)
			continue;
		found = max_in(p->mem, p->nmem, c->t0, c->t1, &best, found);
		found = max_peak_in(p, c->t0, c->t1, &best, found);
	}
	if (!found)
		return MP_ENOSAMPLE;
	*mem = best;
	return 0;
}

double mp_child_peak(const mp_child *c)
{
	double m = c->pts[0].mem;
	for (size_t i = 1; i < c->n; i++)
		if (c->pts[i].mem > m)
			m = c->pts[i].mem;
	return m;
}

int mp_func_index_build(const mp_profile *p, mp_func_index *ix)
{
	ix->order = malloc((p->ncalls ? p->ncalls : 1) * sizeof *ix->order);
	ix->first = calloc(p->nfnames + 2, sizeof *ix->first);
	if (!ix->order || !ix->first) {
		mp_func_index_release(ix);
		return -ENOMEM;
	}
	/* Count each function's calls at first[fn + 2], sum to starts at first[fn + 1], then
	 * place each call and advance its function's start: first[fn] ends as fn's start. */
	for (size_t i = 0; i < p->ncalls; i++)
		ix->first[p->calls[i].fn + 2]++;
	for (size_t fn = 2; fn < p->nfnames + 2; fn++)
		ix->first[fn] += ix->first[fn - 1];
	for (size_t i = 0; i < p->ncalls; i++)
		ix->order[ix->first[p->calls[i].fn + 1]++] = i;
	return 0;
}

void mp_func_index_release(mp_func_index *ix)
{
	free(ix->order);
	free(ix->first);
	ix->order = ix->first = NULL;
}
