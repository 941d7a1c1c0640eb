/* trace.c - a profile as Chrome trace-event JSON (see trace.h).
 *
 * One event a line, in the order: metadata (process and thread names), counters, slices,
 * instants. Consumers sort by time themselves; a slice nested in another is told by time
 * containment on the same (pid, tid). The million counter events of a large profile are
 * written through a fixed prefix per process and printf-free numbers (jsonw.c): the export
 * of 10^6 samples is mostly reading the .dat.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "trace.h"

typedef struct tracer {
	mp__jw *w;
	const mp_profile *p;
	long pid;   /* the profiled program's */
	int first;  /* no event written yet */
} tracer;

/* The profiled program's pid: META's, else the one its GC and MARK lines carry, else 1. */
static long main_pid(const mp_profile *p)
{
	if (p->meta.pid > 0)
		return p->meta.pid;
	for (size_t i = 0; i < p->ngcs; i++)
		if (p->gcs[i].pid > 0)
			return p->gcs[i].pid;
	for (size_t i = 0; i < p->nmarks; i++)
		if (p->marks[i].pid > 0)
			return p->marks[i].pid;
	return 1;
}

static void begin(tracer *t)
{
	mp__jw_lit(t->w, t->first ? "\n" : ",\n");
	t->first = 0;
}

/* Microseconds since the start, whole: the .dat's times have 6 decimals, so this is their
 * exact value (the difference of two epoch doubles carries noise below 0.3 us). A slice's
 * duration is the difference of its two rounded ends, so a nested slice stays inside. */
static long long us(const tracer *t, double epoch)
{
	double v = (epoch - t->p->t_first) * 1e6;
	return isfinite(v) && fabs(v) < 9e18 ? (long long)(v < 0 ? v - 0.5 : v + 0.5) : 0;
}

static void ts(tracer *t, double epoch)
{
	mp__jw_int(t->w, us(t, epoch));
}

static void meta(tracer *t, const char *what, long pid, long tid, const char *name)
{
	begin(t);
	mp__jw_lit(t->w, "{\"ph\":\"M\",\"name\":\"");
	mp__jw_lit(t->w, what);
	mp__jw_lit(t->w, "\",\"pid\":");
	mp__jw_int(t->w, pid);
	mp__jw_lit(t->w, ",\"tid\":");
	mp__jw_int(t->w, tid);
	mp__jw_lit(t->w, ",\"args\":{\"name\":");
	mp__jw_string(t->w, name);
	mp__jw_lit(t->w, "}}");
}

/* A counter event: {"ph":"C","name":NAME,"pid":PID,"ts":US,"args":{"MiB":VALUE}}. Its name
 * says what was measured (the backend, "rss", or "true peak") and its one series the unit,
 * so that consumers label the track "rss MiB" (Perfetto: name and series) or "rss" with a
 * series "MiB" (chrome://tracing); about 75 bytes an event, a million of them in a large
 * profile. Counters belong to a process: no tid (the format ignores it). */
#define PREFIX_MAX 64
static const char counter_mid[16] = ",\"args\":{\"MiB\":";
#define MID_LEN 15
#define EVENT_MAX (PREFIX_MAX + MID_LEN + 2 * MP__JW_NUM_MAX + 2)

/* One counter series being written: its events' fixed start, made once. */
typedef struct series_out {
	const tracer *t;
	char prefix[PREFIX_MAX]; /* copied whole (a fixed size is a few moves) */
	size_t plen;
} series_out;

/* The events of `n` points at `o` (room for EVENT_MAX bytes each); returns their end. */
static char *events(const series_out *so, const mp_point *pts, size_t n, char *o)
{
	for (size_t i = 0; i < n; i++) {
		memcpy(o, so->prefix, PREFIX_MAX);
		o += so->plen;
		o += mp__fmt_int(o, us(so->t, pts[i].t));
		memcpy(o, counter_mid, sizeof counter_mid);
		o += MID_LEN;
		o += mp__fmt_num(o, pts[i].mem, 6);
		*o++ = '}';
		*o++ = '}';
	}
	return o;
}

/* Formats `n` points into the writer, through its buffer. */
static void events_direct(tracer *t, const series_out *so, const mp_point *pts, size_t n)
{
	/* A batch's worst case fits the buffer (390 events without the writer's thread). */
	size_t batch = t->w->cap / EVENT_MAX < 1024 ? t->w->cap / EVENT_MAX : 1024;
	for (size_t i = 0; i < n;) {
		size_t k = n - i < batch ? n - i : batch;
		char *o = mp__jw_reserve(t->w, k * EVENT_MAX);
		mp__jw_commit(t->w, events(so, pts + i, k, o));
		i += k;
	}
}

/* A counter series named `name` (a key's characters, written as they are): one event per
 * point, through a start made once, each event formatted straight into the buffer. */
static void counter(tracer *t, long pid, const char *name, const mp_point *pts, size_t n)
{
	series_out so = {.t = t};
	int plen = snprintf(so.prefix, sizeof so.prefix,
			    ",\n{\"ph\":\"C\",\"name\":\"%s\",\"pid\":%ld,\"ts\":", name, pid);
	if (plen < 0 || (size_t)plen >= sizeof so.prefix)
		return; /* names are ours and short */
	so.plen = (size_t)plen;
	if (n && t->first) { /* the first event has no comma before it */
		mp__jw_raw(t->w, so.prefix + 1, so.plen - 1);
		ts(t, pts[0].t);
		mp__jw_raw(t->w, counter_mid, MID_LEN);
		mp__jw_num(t->w, pts[0].mem, 6);
		mp__jw_raw(t->w, "}}", 2);
		t->first = 0;
		pts++;
		n--;
	}
	events_direct(t, &so, pts, n);
}

static void slice_head(tracer *t, const char *cat, long pid, long tid, double t0, double t1)
{
	begin(t);
	mp__jw_lit(t->w, "{\"ph\":\"X\",\"cat\":\"");
	mp__jw_lit(t->w, cat);
	mp__jw_lit(t->w, "\",\"pid\":");
	mp__jw_int(t->w, pid);
	mp__jw_lit(t->w, ",\"tid\":");
	mp__jw_int(t->w, tid);
	mp__jw_lit(t->w, ",\"ts\":");
	ts(t, t0);
	mp__jw_lit(t->w, ",\"dur\":");
	long long d = us(t, t1) - us(t, t0);
	mp__jw_int(t->w, d > 0 ? d : 0);
}

static void calls(tracer *t)
{
	const mp_profile *p = t->p;
	for (size_t i = 0; i < p->ncalls; i++) {
		const mp_call *c = &p->calls[i];
		long pid = c->pid ? c->pid : t->pid;
		slice_head(t, "function", pid, pid, c->t0, c->t1);
		mp__jw_lit(t->w, ",\"name\":");
		mp__jw_string(t->w, p->fnames[c->fn]);
		mp__jw_lit(t->w, ",\"args\":{\"mem_start_MiB\":");
		mp__jw_num(t->w, c->m0, 4);
		mp__jw_lit(t->w, ",\"mem_end_MiB\":");
		mp__jw_num(t->w, c->m1, 4);
		mp__jw_lit(t->w, ",\"level\":");
		if (c->level >= 0)
			mp__jw_int(t->w, c->level);
		else
			mp__jw_lit(t->w, "null");
		mp__jw_lit(t->w, "}}");
	}
}

static void collections(tracer *t)
{
	const mp_profile *p = t->p;
	char name[32];
	for (size_t i = 0; i < p->ngcs; i++) {
		const mp_gc *g = &p->gcs[i];
		long pid = g->pid > 0 ? g->pid : t->pid;
		slice_head(t, "gc", pid, pid + MP_TRACE_GC_TID_OFFSET, g->t0, g->t1);
		snprintf(name, sizeof name, "GC gen %d", g->gen);
		mp__jw_lit(t->w, ",\"name\":");
		mp__jw_string(t->w, name);
		mp__jw_lit(t->w, ",\"args\":{\"generation\":");
		mp__jw_int(t->w, g->gen);
		mp__jw_lit(t->w, ",\"collected\":");
		mp__jw_int(t->w, g->collected);
		mp__jw_lit(t->w, ",\"uncollectable\":");
		mp__jw_int(t->w, g->uncollectable);
		mp__jw_lit(t->w, ",\"candidates\":");
		if (g->candidates >= 0)
			mp__jw_int(t->w, g->candidates);
		else
			mp__jw_lit(t->w, "null");
		mp__jw_lit(t->w, ",\"duration_ms\":");
		mp__jw_num(t->w, (g->t1 - g->t0) * 1e3, 6);
		mp__jw_lit(t->w, ",\"mem_before_MiB\":");
		mp__jw_num(t->w, g->m0, 4);
		mp__jw_lit(t->w, ",\"mem_after_MiB\":");
		mp__jw_num(t->w, g->m1, 4);
		mp__jw_lit(t->w, "}}");
	}
}

static void instant(tracer *t, long pid, double at, const char *name, const char *cat)
{
	begin(t);
	mp__jw_lit(t->w, "{\"ph\":\"i\",\"s\":\"p\",\"cat\":\"");
	mp__jw_lit(t->w, cat);
	mp__jw_lit(t->w, "\",\"pid\":");
	mp__jw_int(t->w, pid);
	mp__jw_lit(t->w, ",\"tid\":");
	mp__jw_int(t->w, pid);
	mp__jw_lit(t->w, ",\"ts\":");
	ts(t, at);
	mp__jw_lit(t->w, ",\"name\":");
	mp__jw_string(t->w, name);
}

/* Process and thread names: the profiled program, its children, and any other process that
 * sent brackets or collections (each named once). */
static void names(tracer *t)
{
	const mp_profile *p = t->p;
	char name[600];
	const char *cmd = p->cmdline ? p->cmdline : "profiled program";
	meta(t, "process_name", t->pid, t->pid, cmd); /* consumers show the pid beside it */
	meta(t, "thread_name", t->pid, t->pid, "functions");
	for (size_t c = 0; c < p->nchildren; c++) {
		snprintf(name, sizeof name, "child %ld of %.500s", p->children[c].pid, cmd);
		meta(t, "process_name", p->children[c].pid, p->children[c].pid, name);
	}
	/* Processes seen only in FUNC or GC lines; GC threads of every process that has GC. */
	long seen[64];
	size_t nseen = 0;
	for (size_t i = 0; i < p->ncalls + p->ngcs; i++) {
		int gc = i >= p->ncalls;
		long pid = gc ? p->gcs[i - p->ncalls].pid : p->calls[i].pid;
		if (pid <= 0)
			pid = t->pid;
		long key = gc ? -pid : pid;
		size_t k;
		for (k = 0; k < nseen && seen[k] != key; k++)
			;
		if (k < nseen || nseen == sizeof seen / sizeof seen[0])
			continue;
		seen[nseen++] = key;
		if (gc) {
			meta(t, "thread_name", pid, pid + MP_TRACE_GC_TID_OFFSET, "GC");
			continue;
		}
		int known = pid == t->pid;
		for (size_t c = 0; c < p->nchildren && !known; c++)
			known = p->children[c].pid == pid;
		if (!known) {
			snprintf(name, sizeof name, "process %ld under %.500s", pid, cmd);
			meta(t, "process_name", pid, pid, name);
		}
	}
}

int mp_export_trace(const mp_profile *p, const char *file, FILE *out)
{
	tracer tr = {.p = p, .pid = main_pid(p), .first = 1};
	tracer *t = &tr;
	if (!(t->w = mp__jw_new(out)))
		return -ENOMEM;
	/* The memory counters are named by what MEM and CHLD measure (META's backend). */
	char memory[32];
	snprintf(memory, sizeof memory, "%s", p->meta.backend[0] ? p->meta.backend : "memory");
	for (char *c = memory; *c; c++) /* written raw into the events: a key, not any bytes */
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-'))
			*c = '_';
	mp__jw_lit(t->w, "{\"traceEvents\":[");
	names(t);
	counter(t, t->pid, memory, p->mem, p->nmem);
	counter(t, t->pid, "true peak", p->peaks, p->npeaks);
	for (size_t c = 0; c < p->nchildren; c++)
		counter(t, p->children[c].pid, memory, p->children[c].pts, p->children[c].n);
	calls(t);
	collections(t);
	for (size_t i = 0; i < p->nmarks; i++) {
		const mp_mark *mk = &p->marks[i];
		instant(t, mk->pid > 0 ? mk->pid : t->pid, mk->t, mk->name, "mark");
		mp__jw_lit(t->w, ",\"args\":{\"mem_MiB\":");
		mp__jw_num(t->w, mk->mem, 4);
		mp__jw_lit(t->w, "}}");
	}
	if (p->has_exit) {
		char name[48];
		int st = p->exit_status;
		if (st > 128 && st < 128 + 65)
			snprintf(name, sizeof name, "killed by signal %d", st - 128);
		else
			snprintf(name, sizeof name, "exit status %d", st);
		instant(t, t->pid, p->exit_t, name, "exit");
		mp__jw_lit(t->w, ",\"args\":{\"status\":");
		mp__jw_int(t->w, st);
		mp__jw_lit(t->w, "}}");
	}
	mp__jw_lit(t->w, "\n],\"displayTimeUnit\":\"ms\",\"otherData\":{\"file\":");
	mp__jw_string(t->w, file);
	mp__jw_lit(t->w, ",\"cmdline\":");
	mp__jw_string(t->w, p->cmdline);
	mp__jw_lit(t->w, ",\"start\":");
	mp__jw_num(t->w, p->t_first, 6);
	mp__jw_lit(t->w, ",\"pid\":");
	mp__jw_int(t->w, t->pid);
	mp__jw_lit(t->w, ",\"version\":\"mprof " GCLAB_VERSION "\"}}\n");
	int rc = mp__jw_finish(t->w);
	free(t->w);
	return rc;
}
