/* export.c - write a profile as CSV (one table, a kind per row) or JSON (one object). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "jsonw.h"
#include "profile.h"

/* Every export goes through the one writer (jsonw.c): printf-free numbers, one buffer. */

/* A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). Text that a
 * spreadsheet would take for a formula (starting with =, +, -, @, a tab or a carriage return)
 * gets a leading apostrophe, as OWASP advises: a function named "=HYPERLINK(...)" stays text. */
static void csv_string(mp__jw *w, const char *s)
{
	int formula = *s && strchr("=+-@\t\r", *s);
	if (!strpbrk(s, ",\"\r\n")) {
		if (formula)
			mp__jw_raw(w, "'", 1);
		mp__jw_lit(w, s);
		return;
	}
	mp__jw_raw(w, "\"", 1);
	if (formula)
		mp__jw_raw(w, "'", 1);
	for (; *s; s++) {
		if (*s == '"')
			mp__jw_raw(w, "\"", 1);
		mp__jw_raw(w, s, 1);
	}
	mp__jw_raw(w, "\"", 1);
}

/* ",v" for each of the `n` values, with its decimals (printf's %.*f, as the CSV always was). */
static void csv_nums(mp__jw *w, const double *v, const int *dec, int n)
{
	for (int i = 0; i < n; i++) {
		mp__jw_raw(w, ",", 1);
		mp__jw_fixed(w, v[i], dec[i]);
	}
}

static void csv_points(mp__jw *w, const char *kind, const mp_point *pts, size_t n, double t0,
		       long pid)
{
	static const int dec[] = {6, 6};
	for (size_t i = 0; i < n; i++) {
		mp__jw_lit(w, kind);
		csv_nums(w, (double[]){pts[i].t - t0, pts[i].mem}, dec, 2);
		if (pid) {
			mp__jw_lit(w, ",,,,,");
			mp__jw_int(w, pid);
			mp__jw_lit(w, ",,,,,\n");
		} else {
			mp__jw_lit(w, ",,,,,,,,,,\n");
		}
	}
}

int mp_export_csv(const mp_profile *p, FILE *out)
{
	static const int dec4[] = {6, 4, 6, 4};
	mp__jw *w = mp__jw_new(out);
	if (!w)
		return -ENOMEM;
	double t0 = p->t_first;
	mp__jw_lit(w, "kind,t,mem,t_end,mem_end,name,level,pid,gen,collected,uncollectable,"
		      "candidates,status\n");
	csv_points(w, "sample", p->mem, p->nmem, t0, 0);
	csv_points(w, "peak", p->peaks, p->npeaks, t0, 0);
	for (size_t c = 0; c < p->nchildren; c++)
		csv_points(w, "child", p->children[c].pts, p->children[c].n, t0,
			   p->children[c].pid);
	for (size_t i = 0; i < p->ncalls; i++) {
		const mp_call *c = &p->calls[i];
		mp__jw_lit(w, "call");
		csv_nums(w, (double[]){c->t0 - t0, c->m0, c->t1 - t0, c->m1}, dec4, 4);
		mp__jw_raw(w, ",", 1);
		csv_string(w, p->fnames[c->fn]);
		mp__jw_raw(w, ",", 1);
		if (c->level >= 0)
			mp__jw_int(w, c->level);
		mp__jw_raw(w, ",", 1);
		mp__jw_int(w, c->pid);
		mp__jw_lit(w, ",,,,,\n");
	}
	for (size_t i = 0; i < p->ngcs; i++) {
		const mp_gc *g = &p->gcs[i];
		mp__jw_lit(w, "gc");
		csv_nums(w, (double[]){g->t0 - t0, g->m0, g->t1 - t0, g->m1}, dec4, 4);
		mp__jw_lit(w, ",,,");
		long long f[] = {g->pid, g->gen, g->collected, g->uncollectable, g->candidates};
		for (size_t k = 0; k < 5; k++) {
			mp__jw_int(w, f[k]);
			mp__jw_raw(w, ",", 1);
		}
		mp__jw_raw(w, "\n", 1);
	}
	for (size_t i = 0; i < p->nmarks; i++) {
		mp__jw_lit(w, "mark");
		csv_nums(w, (double[]){p->marks[i].t - t0, p->marks[i].mem}, dec4, 2);
		mp__jw_lit(w, ",,,");
		csv_string(w, p->marks[i].name);
		mp__jw_lit(w, ",,");
		mp__jw_int(w, p->marks[i].pid);
		mp__jw_lit(w, ",,,,,\n");
	}
	if (p->has_exit) {
		mp__jw_lit(w, "exit");
		csv_nums(w, (double[]){p->exit_t - t0}, dec4, 1);
		mp__jw_lit(w, ",,,,,,,,,,,");
		mp__jw_int(w, p->exit_status);
		mp__jw_raw(w, "\n", 1);
	}
	int rc = mp__jw_finish(w);
	free(w);
	return rc;
}

static void json_points(mp__jw *w, const mp_point *pts, size_t n, double t0)
{
	mp__jw_raw(w, "[", 1);
	for (size_t i = 0; i < n; i++) {
		char *o = mp__jw_reserve(w, 2 * MP__JW_NUM_MAX + 5);
		if (i)
			*o++ = ',';
		*o++ = '[';
		o += mp__fmt_num(o, pts[i].t - t0, 6);
		*o++ = ',';
		o += mp__fmt_num(o, pts[i].mem, 6);
		*o++ = ']';
		mp__jw_commit(w, o);
	}
	mp__jw_raw(w, "]", 1);
}

/* `key` (a literal holding its punctuation, as ",\"end\":") and a number. */
static void kv_num(mp__jw *w, const char *key, double v, int decimals)
{
	mp__jw_lit(w, key);
	mp__jw_num(w, v, decimals);
}

static void kv_int(mp__jw *w, const char *key, long long v)
{
	mp__jw_lit(w, key);
	mp__jw_int(w, v);
}

static void kv_str(mp__jw *w, const char *key, const char *s)
{
	mp__jw_lit(w, key);
	mp__jw_string(w, s);
}

static int json_functions(mp__jw *w, const mp_profile *p, double t0)
{
	mp_func_index ix;
	if (mp_func_index_build(p, &ix) < 0)
		return -ENOMEM;
	for (size_t fn = 0; fn < p->nfnames; fn++) {
		kv_str(w, fn ? ",\n{\"name\":" : "{\"name\":", p->fnames[fn]);
		mp__jw_lit(w, ",\"calls\":[");
		for (size_t k = ix.first[fn]; k < ix.first[fn + 1]; k++) {
			const mp_call *c = &p->calls[ix.order[k]];
			kv_num(w, k > ix.first[fn] ? ",{\"start\":" : "{\"start\":", c->t0 - t0, 6);
			kv_num(w, ",\"end\":", c->t1 - t0, 6);
			kv_num(w, ",\"mem_start\":", c->m0, 4);
			kv_num(w, ",\"mem_end\":", c->m1, 4);
			kv_int(w, ",\"level\":", c->level);
			kv_int(w, ",\"pid\":", c->pid);
			mp__jw_raw(w, "}", 1);
		}
		mp__jw_lit(w, "]}");
	}
	mp_func_index_release(&ix);
	return 0;
}

int mp_export_json(const mp_profile *p, const char *file, FILE *out)
{
	mp__jw *w = mp__jw_new(out);
	if (!w)
		return -ENOMEM;
	double t0 = p->t_first;
	kv_str(w, "{\"file\":", file);
	kv_str(w, ",\"cmdline\":", p->cmdline);
	kv_num(w, ",\"start\":", t0, 6);
	mp__jw_lit(w, ",\"meta\":");
	if (p->meta.present) {
		/* META's interval is read as a positive finite number. */
		kv_num(w, "{\"interval\":", p->meta.interval, 9);
		kv_str(w, ",\"backend\":", p->meta.backend);
		mp__jw_lit(w, p->meta.peaks ? ",\"peaks\":true" : ",\"peaks\":false");
		kv_str(w, ",\"children\":", p->meta.children);
		kv_int(w, ",\"pid\":", p->meta.pid);
		kv_str(w, ",\"version\":", p->meta.version);
		mp__jw_raw(w, "}", 1);
	} else {
		mp__jw_lit(w, "null");
	}
	mp__jw_lit(w, ",\n\"samples\":");
	json_points(w, p->mem, p->nmem, t0);
	mp__jw_lit(w, ",\n\"peaks\":");
	json_points(w, p->peaks, p->npeaks, t0);
	mp__jw_lit(w, ",\n\"children\":[");
	for (size_t c = 0; c < p->nchildren; c++) {
		kv_int(w, c ? ",{\"pid\":" : "{\"pid\":", p->children[c].pid);
		mp__jw_lit(w, ",\"samples\":");
		json_points(w, p->children[c].pts, p->children[c].n, t0);
		mp__jw_raw(w, "}", 1);
	}
	mp__jw_lit(w, "],\n\"functions\":[");
	int rc = json_functions(w, p, t0);
	mp__jw_lit(w, "],\n\"gc\":[");
	for (size_t i = 0; i < p->ngcs; i++) {
		const mp_gc *g = &p->gcs[i];
		kv_int(w, i ? ",\n{\"gen\":" : "{\"gen\":", g->gen);
		kv_num(w, ",\"start\":", g->t0 - t0, 6);
		kv_num(w, ",\"end\":", g->t1 - t0, 6);
		kv_num(w, ",\"mem_start\":", g->m0, 4);
		kv_num(w, ",\"mem_end\":", g->m1, 4);
		kv_int(w, ",\"collected\":", g->collected);
		kv_int(w, ",\"uncollectable\":", g->uncollectable);
		kv_int(w, ",\"candidates\":", g->candidates);
		kv_int(w, ",\"pid\":", g->pid);
		mp__jw_raw(w, "}", 1);
	}
	mp__jw_lit(w, "],\n\"marks\":[");
	for (size_t i = 0; i < p->nmarks; i++) {
		kv_str(w, i ? ",{\"name\":" : "{\"name\":", p->marks[i].name);
		kv_num(w, ",\"t\":", p->marks[i].t - t0, 6);
		kv_num(w, ",\"mem\":", p->marks[i].mem, 4);
		kv_int(w, ",\"pid\":", p->marks[i].pid);
		mp__jw_raw(w, "}", 1);
	}
	mp__jw_lit(w, "],\n\"exit\":");
	if (p->has_exit) {
		kv_int(w, "{\"status\":", p->exit_status);
		kv_num(w, ",\"t\":", p->exit_t - t0, 6);
		mp__jw_raw(w, "}", 1);
	} else {
		mp__jw_lit(w, "null");
	}
	mp__jw_lit(w, "}\n");
	int frc = mp__jw_finish(w);
	free(w);
	return rc < 0 ? rc : frc;
}
