/* export.c - write a profile as CSV (one table, a kind per row) or JSON (one object). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "export.h"
#include "profile.h"

static int finish(FILE *out)
{
	errno = 0;
	if (fflush(out) != 0 || ferror(out))
		return -(errno ? errno : EIO);
	return 0;
}

/* A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). Text that a
 * spreadsheet would take for a formula (starting with =, +, -, @, a tab or a carriage return)
 * gets a leading apostrophe, as OWASP advises: a function named "=HYPERLINK(...)" stays text. */
static void csv_string(FILE *out, const char *s)
{
	int formula = *s && strchr("=+-@\t\r", *s);
	if (!strpbrk(s, ",\"\r\n")) {
		if (formula)
			fputc('\'', out);
		fputs(s, out);
		return;
	}
	fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

int mp_export_csv(const mp_profile *p, FILE *out)
{
	double t0 = p->t_first;
	fputs("kind,t,mem,t_end,mem_end,name,level,pid,gen,collected,uncollectable,candidates,status\n",
	      out);
	for (size_t i = 0; i < p->nmem; i++)
		fprintf(out, "sample,%.6f,%.6f,,,,,,,,,,\n", p->mem[i].t - t0, p->mem[i].mem);
	for (size_t i = 0; i < p->npeaks; i++)
		fprintf(out, "peak,%.6f,%.6f,,,,,,,,,,\n", p->peaks[i].t - t0, p->peaks[i].mem);
	for (size_t c = 0; c < p->nchildren; c++)
		for (size_t i = 0; i < p->children[c].n; i++)
			fprintf(out, "child,%.6f,%.6f,,,,,%ld,,,,,\n", p->children[c].pts[i].t - t0,
				p->children[c].pts[i].mem, p->children[c].pid);
	for (size_t i = 0; i < p->ncalls; i++) {
		const mp_call *c = &p->calls[i];
		fprintf(out, "call,%.6f,%.4f,%.6f,%.4f,", c->t0 - t0, c->m0, c->t1 - t0, c->m1);
		csv_string(out, p->fnames[c->fn]);
		if (c->level >= 0)
			fprintf(out, ",%d", c->level);
		else
			fputc(',', out);
		fprintf(out, ",%ld,,,,,\n", c->pid);
	}
	for (size_t i = 0; i < p->ngcs; i++) {
		const mp_gc *g = &p->gcs[i];
		fprintf(out, "gc,%.6f,%.4f,%.6f,%.4f,,,%ld,%d,%ld,%ld,%ld,\n", g->t0 - t0, g->m0,
			g->t1 - t0, g->m1, g->pid, g->gen, g->collected, g->uncollectable,
			g->candidates);
	}
	for (size_t i = 0; i < p->nmarks; i++) {
		fprintf(out, "mark,%.6f,%.4f,,,", p->marks[i].t - t0, p->marks[i].mem);
		csv_string(out, p->marks[i].name);
		fprintf(out, ",,%ld,,,,,\n", p->marks[i].pid);
	}
	if (p->has_exit)
		fprintf(out, "exit,%.6f,,,,,,,,,,,%d\n", p->exit_t - t0, p->exit_status);
	return finish(out);
}

/* The length of the valid UTF-8 sequence at `s` (at most `n` bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned min;
	unsigned cp;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, min = 0x80, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, min = 0x800, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, min = 0x10000, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* A number as JSON has them: what is not finite (a difference of two huge times can
 * overflow) is null, never "inf" or "nan". */
static void json_num(FILE *out, double v, int decimals)
{
	if (isfinite(v))
		fprintf(out, "%.*f", decimals, v);
	else
		fputs("null", out);
}

static void json_string(FILE *out, const char *str)
{
	if (!str) {
		fputs("null", out);
		return;
	}
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str);
	fputc('"', out);
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c == '"' || c == '\\') {
			fputc('\\', out);
			fputc(c, out);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(out, "\\u%04x", c);
			i++;
		} else {
			size_t len = utf8_len(s + i, n - i);
			if (!len) {
				fputs("\\ufffd", out);
				i++;
			} else {
				fwrite(s + i, 1, len, out);
				i += len;
			}
		}
	}
	fputc('"', out);
}

static void json_points(FILE *out, const mp_point *pts, size_t n, double t0)
{
	fputc('[', out);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",[" : "[", out);
		json_num(out, pts[i].t - t0, 6);
		fputc(',', out);
		json_num(out, pts[i].mem, 6);
		fputc(']', out);
	}
	fputc(']', out);
}

int mp_export_json(const mp_profile *p, const char *file, FILE *out)
{
	double t0 = p->t_first;
	fputs("{\"file\":", out);
	json_string(out, file);
	fputs(",\"cmdline\":", out);
	json_string(out, p->cmdline);
	fputs(",\"start\":", out);
	json_num(out, t0, 6);
	fputs(",\"meta\":", out);
	if (p->meta.present) {
		/* META's interval is read as a positive finite number: %g is valid JSON. */
		fprintf(out, "{\"interval\":%g,\"backend\":", p->meta.interval);
		json_string(out, p->meta.backend);
		fprintf(out, ",\"peaks\":%s,\"children\":", p->meta.peaks ? "true" : "false");
		json_string(out, p->meta.children);
		fprintf(out, ",\"pid\":%ld,\"version\":", p->meta.pid);
		json_string(out, p->meta.version);
		fputc('}', out);
	} else {
		fputs("null", out);
	}
	fputs(",\n\"samples\":", out);
	json_points(out, p->mem, p->nmem, t0);
	fputs(",\n\"peaks\":", out);
	json_points(out, p->peaks, p->npeaks, t0);
	fputs(",\n\"children\":[", out);
	for (size_t c = 0; c < p->nchildren; c++) {
		fprintf(out, "%s{\"pid\":%ld,\"samples\":", c ? "," : "", p->children[c].pid);
		json_points(out, p->children[c].pts, p->children[c].n, t0);
		fputc('}', out);
	}
	fputs("],\n\"functions\":[", out);
	mp_func_index ix;
	if (mp_func_index_build(p, &ix) < 0)
		return -ENOMEM;
	for (size_t fn = 0; fn < p->nfnames; fn++) {
		fputs(fn ? ",\n{\"name\":" : "{\"name\":", out);
		json_string(out, p->fnames[fn]);
		fputs(",\"calls\":[", out);
		for (size_t k = ix.first[fn]; k < ix.first[fn + 1]; k++) {
			const mp_call *c = &p->calls[ix.order[k]];
			fputs(k > ix.first[fn] ? ",{\"start\":" : "{\"start\":", out);
			json_num(out, c->t0 - t0, 6);
			fputs(",\"end\":", out);
			json_num(out, c->t1 - t0, 6);
			fputs(",\"mem_start\":", out);
			json_num(out, c->m0, 4);
			fputs(",\"mem_end\":", out);
			json_num(out, c->m1, 4);
			fprintf(out, ",\"level\":%d,\"pid\":%ld}", c->level, c->pid);
		}
		fputs("]}", out);
	}
	mp_func_index_release(&ix);
	fputs("],\n\"gc\":[", out);
	for (size_t i = 0; i < p->ngcs; i++) {
		const mp_gc *g = &p->gcs[i];
		fprintf(out, "%s{\"gen\":%d,\"start\":", i ? ",\n" : "", g->gen);
		json_num(out, g->t0 - t0, 6);
		fputs(",\"end\":", out);
		json_num(out, g->t1 - t0, 6);
		fputs(",\"mem_start\":", out);
		json_num(out, g->m0, 4);
		fputs(",\"mem_end\":", out);
		json_num(out, g->m1, 4);
		fprintf(out, ",\"collected\":%ld,\"uncollectable\":%ld,\"candidates\":%ld,\"pid\":%ld}",
			g->collected, g->uncollectable, g->candidates, g->pid);
	}
	fputs("],\n\"marks\":[", out);
	for (size_t i = 0; i < p->nmarks; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", out);
		json_string(out, p->marks[i].name);
		fputs(",\"t\":", out);
		json_num(out, p->marks[i].t - t0, 6);
		fputs(",\"mem\":", out);
		json_num(out, p->marks[i].mem, 4);
		fprintf(out, ",\"pid\":%ld}", p->marks[i].pid);
	}
	fputs("],\n\"exit\":", out);
	if (p->has_exit) {
		fprintf(out, "{\"status\":%d,\"t\":", p->exit_status);
		json_num(out, p->exit_t - t0, 6);
		fputc('}', out);
	} else
		fputs("null", out);
	fputs("}\n", out);
	return finish(out);
}
