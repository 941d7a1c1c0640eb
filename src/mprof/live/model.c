/* model.c - the live view's model (live.h): samples, peak, collections, brackets, the tree. */
#include <stdlib.h>
#include <string.h>

#include "live.h"

#define MIB 1048576.0

/* The rings' resolutions and sizes: 2 ms x 2^18 = 524 s, 50 ms x 2^17 = 1.8 h, 1 s x 2^14 =
 * 4.5 h (the longest window is 1 h). */
static const struct { double gap; size_t cap; } levels[MP_LIVE_LEVELS] = {
	{0.002, 1u << 18},
	{0.05, 1u << 17},
	{1.0, 1u << 14},
};

mp_live *mp_live_new(void)
{
	mp_live *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	for (int i = 0; i < MP_LIVE_LEVELS; i++) {
		m->rings[i].gap = levels[i].gap;
		m->rings[i].cap = levels[i].cap;
		m->rings[i].e = calloc(levels[i].cap, sizeof *m->rings[i].e);
		if (!m->rings[i].e) {
			mp_live_free(m);
			return NULL;
		}
	}
	return m;
}

void mp_live_free(mp_live *m)
{
	if (!m)
		return;
	for (int i = 0; i < MP_LIVE_LEVELS; i++)
		free(m->rings[i].e);
	free(m);
}

/* Into one ring: merged into the newest entry when closer than its gap (the highest stays). */
static void ring_add(mp_live_ring *r, double t, double mem)
{
	if (r->count) {
		size_t last = (r->head + r->count - 1) % r->cap;
		if (t - r->e[last].t < r->gap && t >= r->e[last].t) {
			if (mem > r->e[last].mem)
				r->e[last].mem = mem;
			return;
		}
	}
	if (r->count == r->cap) {
		r->head = (r->head + 1) % r->cap;
		r->count--;
	}
	size_t at = (r->head + r->count) % r->cap;
	r->e[at].t = t;
	r->e[at].mem = mem;
	r->count++;
}

static void seen(mp_live *m, double t)
{
	if (t > m->t_last)
		m->t_last = t;
}

static void note_peak(mp_live *m, double t, double mem)
{
	if (mem > m->peak) {
		m->peak = mem;
		m->peak_t = t;
	}
}

void mp_live_add_sample(mp_live *m, double t, double mem)
{
	if (!m->t_first)
		m->t_first = t;
	m->samples++;
	m->mem = mem;
	seen(m, t);
	note_peak(m, t, mem);
	if (m->depth > 0)
		m->stack[m->depth - 1].m1 = mem;
	for (int i = 0; i < MP_LIVE_LEVELS; i++)
		ring_add(&m->rings[i], t, mem);
}

void mp_live_add_peak(mp_live *m, double t, double mem)
{
	seen(m, t);
	note_peak(m, t, mem);
}

static void copy_name(char *dst, const char *src, size_t len)
{
	if (len >= MP_LIVE_NAME)
		len = MP_LIVE_NAME - 1;
	memcpy(dst, src, len);
	dst[len] = 0;
}

void mp_live_add_call(mp_live *m, const char *name, int level, long pid, double t0, double m0,
		      double t1, double m1)
{
	seen(m, t1);
	if (pid != 0 && pid != m->pid)
		return; /* a child's bracket: not the program's stack */
	mp_live_bracket *b = &m->last;
	copy_name(b->name, name, strlen(name));
	b->t0 = t0;
	b->t1 = t1;
	b->m0 = m0;
	b->m1 = m1;
	b->level = level;
	/* Its open entry, when the B event came first: it and whatever it held are closed. A
	 * later B at this level may already have replaced it (the feed is faster than the file). */
	if (level >= 0 && level < m->depth && m->stack[level].t0 <= t0 + 1e-6 &&
	    m->stack[level].t0 >= t0 - 1e-6)
		m->depth = level;
}

static void add_begin(mp_live *m, long pid, int level, double t, double mem, const char *name,
		      size_t len)
{
	seen(m, t);
	m->have_begins = 1;
	if (m->pid && pid != m->pid)
		return;
	if (level >= MP_LIVE_STACK || level > m->depth)
		return; /* deeper than we keep, or its parent's B was lost */
	mp_live_bracket *b = &m->stack[level];
	copy_name(b->name, name, len);
	b->t0 = t;
	b->t1 = 0;
	b->m0 = b->m1 = mem;
	b->level = level;
	m->depth = level + 1;
}

void mp_live_add_gc(mp_live *m, const mp_gc *g)
{
	seen(m, g->t1);
	m->gc_runs[g->gen < 3 ? g->gen : 3]++;
	m->gc_total++;
	m->gc_last.t0 = g->t0;
	m->gc_last.t1 = g->t1;
	m->gc_last.m0 = g->m0;
	m->gc_last.m1 = g->m1;
	m->gc_last.collected = g->collected;
	m->gc_last.gen = g->gen;
	size_t at = (m->gc_mark_head + m->gc_mark_count) % MP_LIVE_GCS;
	if (m->gc_mark_count == MP_LIVE_GCS)
		m->gc_mark_head = (m->gc_mark_head + 1) % MP_LIVE_GCS;
	else
		m->gc_mark_count++;
	m->gc_marks[at] = g->t0;
	m->gc_mark_gen[at] = g->gen;
}

void mp_live_add_child(mp_live *m, long pid, double t, double mem)
{
	seen(m, t);
	size_t i;
	for (i = 0; i < m->nprocs; i++)
		if (m->procs[i].pid == pid)
			break;
	if (i == m->nprocs) {
		if (m->nprocs == MP_LIVE_PROCS) {
			/* Full: the one seen longest ago makes room. */
			i = 0;
			for (size_t k = 1; k < m->nprocs; k++)
				if (m->procs[k].t < m->procs[i].t)
					i = k;
		} else {
			m->nprocs++;
		}
		m->procs[i].pid = pid;
	}
	m->procs[i].mem = mem;
	m->procs[i].t = t;
}

void mp_live_add_exit(mp_live *m, int status, double t)
{
	seen(m, t);
	m->exited = 1;
	m->status = status;
	m->exit_t = t;
}

void mp_live_add_profile(mp_live *m, const mp_profile *p)
{
	if (p->cmdline)
		copy_name(m->cmdline, p->cmdline,
			  strlen(p->cmdline) < sizeof m->cmdline ? strlen(p->cmdline)
								 : sizeof m->cmdline - 1);
	if (p->meta.present && p->meta.pid)
		m->pid = p->meta.pid;
	for (size_t i = 0; i < p->nmem; i++)
		mp_live_add_sample(m, p->mem[i].t, p->mem[i].mem);
	for (size_t i = 0; i < p->npeaks; i++)
		mp_live_add_peak(m, p->peaks[i].t, p->peaks[i].mem);
	for (size_t i = 0; i < p->ncalls; i++) {
		const mp_call *c = &p->calls[i];
		mp_live_add_call(m, p->fnames[c->fn], c->level, c->pid, c->t0, c->m0, c->t1, c->m1);
	}
	for (size_t i = 0; i < p->ngcs; i++)
		mp_live_add_gc(m, &p->gcs[i]);
	for (size_t i = 0; i < p->nchildren; i++)
		for (size_t k = 0; k < p->children[i].n; k++)
			mp_live_add_child(m, p->children[i].pid, p->children[i].pts[k].t,
					  p->children[i].pts[k].mem);
	if (p->has_exit)
		mp_live_add_exit(m, p->exit_status, p->exit_t);
}

/* A field of a feed line: a decimal integer or a time, of at most 18 digits before the point
 * (what mprof writes fits; a longer one would not fit the integer it becomes). */
static int feed_num(const char **p, const char *end, double *out, int allow_frac)
{
	const char *s = *p;
	double v = 0;
	int neg = 0, digits = 0;
	if (s < end && *s == '-') {
		neg = 1;
		s++;
	}
	for (; s < end && *s >= '0' && *s <= '9'; s++, digits++)
		v = v * 10 + (*s - '0');
	if (allow_frac && s < end && *s == '.') {
		double scale = 0.1;
		for (s++; s < end && *s >= '0' && *s <= '9'; s++, scale /= 10)
			v += (*s - '0') * scale;
	}
	if (!digits || digits > 18 || (s < end && *s != ' '))
		return -1;
	*out = neg ? -v : v;
	*p = s < end ? s + 1 : s;
	return 0;
}

int mp_live_add_feed_line(mp_live *m, const char *line, size_t len)
{
	const char *p = line + 2, *end = line + len;
	double pid, level, t, mem;
	if (len < 3 || line[1] != ' ')
		return -1;
	if (line[0] == 'B') {
		if (feed_num(&p, end, &pid, 0) < 0 || feed_num(&p, end, &level, 0) < 0 ||
		    feed_num(&p, end, &t, 1) < 0 || feed_num(&p, end, &mem, 0) < 0 || p >= end ||
		    level < 0 || level > 1e6)
			return -1;
		add_begin(m, (long)pid, (int)level, t, mem < 0 ? m->mem : mem / MIB, p,
			  (size_t)(end - p));
		return 0;
	}
	if (line[0] == 'C') {
		if (feed_num(&p, end, &pid, 0) < 0 || feed_num(&p, end, &mem, 0) < 0 ||
		    feed_num(&p, end, &t, 1) < 0 || p != end)
			return -1;
		mp_live_add_child(m, (long)pid, t, mem / MIB);
		return 0;
	}
	return -1;
}

double mp_live_chart(const mp_live *m, double t_end, double window, int ncols, double *out,
		     int *gc)
{
	double top = 0, t_start = t_end - window, per = window / ncols;
	for (int i = 0; i < ncols; i++) {
		out[i] = -1;
		gc[i] = 0;
	}
	/* The coarsest ring still finer than a quarter of a column. */
	const mp_live_ring *r = &m->rings[0];
	for (int i = 1; i < MP_LIVE_LEVELS && m->rings[i].gap <= per / 4; i++)
		r = &m->rings[i];
	/* From the newest back, as far as the window reaches. */
	for (size_t k = r->count; k-- > 0;) {
		size_t at = (r->head + k) % r->cap;
		double t = r->e[at].t, mem = r->e[at].mem;
		if (t <= t_start)
			break;
		if (t > t_end)
			continue;
		int col = (int)((t - t_start) / per);
		if (col >= ncols)
			col = ncols - 1;
		if (mem > out[col])
			out[col] = mem;
		if (mem > top)
			top = mem;
	}
	for (size_t k = 0; k < m->gc_mark_count; k++) {
		size_t at = (m->gc_mark_head + k) % MP_LIVE_GCS;
		double t = m->gc_marks[at];
		if (t <= t_start || t > t_end)
			continue;
		int col = (int)((t - t_start) / per);
		if (col >= ncols)
			col = ncols - 1;
		if (m->gc_mark_gen[at] + 1 > gc[col])
			gc[col] = m->gc_mark_gen[at] + 1;
	}
	return top;
}

static int by_mem_desc(const void *a, const void *b)
{
	double x = ((const mp_live_proc *)a)->mem, y = ((const mp_live_proc *)b)->mem;
	return (x < y) - (x > y);
}

size_t mp_live_top_procs(const mp_live *m, double fresh, mp_live_proc *out, size_t max)
{
	mp_live_proc all[MP_LIVE_PROCS];
	size_t n = 0;
	for (size_t i = 0; i < m->nprocs; i++)
		if (m->procs[i].t >= m->t_last - fresh)
			all[n++] = m->procs[i];
	qsort(all, n, sizeof *all, by_mem_desc);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof *out);
	return n;
}
