/* plot_model.c - the plot as numbers: ranges, ticks, layout, legend, curves, statistics.
 *
 * One pass, in dependency order: the legend's entries (with each curve's trend, fitted once),
 * the layout (which the legend's width decides), the time and memory ranges, then every
 * element's position. Each curve goes through mp_plot_decimate first, so its cost and its
 * size in the model follow the image's width, not the number of samples.
 *
 * Invariants: x0 < x1 and y0 < y1; tmax > tmin and mmax > mmin (a profile with one sample, or
 * a window past its end, still spans one second and one MiB), so mapping to pixels never
 * divides by zero; at most MP_PLOT_MAX_TICKS ticks an axis, however close the ends.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_model.h"
#include "profile.h"

#define MARKER_GAP 5.0 /* sample dots only where samples are at least this far (px) apart */
#define LIMIT 1e12     /* seconds or MiB beyond which the axes are clamped: no real profile */
#define LEGEND_ROW 17.0

static const uint32_t file_colors[] = {0x1f77b4, 0x222222, 0xe6550d, 0x756bb1, 0x31a354, 0x8c6d31};
static const uint32_t child_colors[] = {0x17becf, 0xbcbd22, 0xe377c2, 0x8c564b, 0x9edae5, 0x7f7f7f};
/* Functions: 20 hues that stay apart from each other and from the curves, then the same hues
 * darker and lighter (FUNC_SHADES of each), so that no two of 60 functions share a colour. */
static const uint32_t func_colors[] = {
	0x2ca02c, 0x9467bd, 0xff7f0e, 0x8c564b, 0xe377c2, 0x17becf, 0xbcbd22, 0x7f7f7f,
	0x393b79, 0x637939, 0x8c6d31, 0x843c39, 0x7b4173, 0x6b6ecf, 0xe7ba52, 0xd6616b,
	0xff9896, 0xce6dbd, 0x5e3c99, 0x00a087};
#define FUNC_SHADES 3
/* Generations 0, 1, 2+: Okabe and Ito's sky blue, orange and vermillion, apart for every kind
 * of colour vision; in grey print the bars' heights (a third, two thirds, full) tell them. */
static const uint32_t gc_colors[] = {0x56b4e9, 0xe69f00, 0xd55e00};
#define PEAK_COLOR 0xd62728
#define TEXT_COLOR 0x222222

#define NCOLORS(a) (sizeof(a) / sizeof(a)[0])

typedef struct builder {
	mp_plot_model *m;
	const mp_profile *const *profs;
	const char *const *names;
	size_t n;
	const mp_plot_opts *o;
	mp_plot_measure measure;
	void *ctx;
	size_t cap_keys;
	mp_point *buf; /* decimation output */
	size_t cap_buf;
} builder;

/* --- small helpers ----------------------------------------------------------------------- */

/* Without fonts: 0.6 em a character (UTF-8 continuation bytes are not characters). */
static double estimate(void *ctx, const char *text, double size, int bold)
{
	(void)ctx;
	size_t chars = 0;
	for (const unsigned char *s = (const unsigned char *)text; *s; s++)
		chars += (*s & 0xc0) != 0x80;
	return (double)chars * size * (bold ? 0.65 : 0.6);
}

static double width(const builder *b, const char *text, double size, int bold)
{
	return b->measure(b->ctx, text, size, bold);
}

/* Shortens `s` in place from the left ("...tail") until it fits `w` pixels. */
static void fit_text(const builder *b, char *s, double w, double size, int bold)
{
	size_t len = strlen(s);
	if (width(b, s, size, bold) <= w)
		return;
	char tmp[512];
	for (size_t cut = 1; cut + 4 < len && cut < len; cut++) {
		snprintf(tmp, sizeof tmp, "...%s", s + cut);
		if (width(b, tmp, size, bold) <= w) {
			memmove(s, tmp, strlen(tmp) + 1);
			return;
		}
	}
}

/* Shortens `s` in place from the right ("head...") until it fits `w` pixels: an overlaid
 * profile's label, whose file (what tells it from the others) comes first and its command
 * after. */
static void fit_text_head(const builder *b, char *s, double w, double size, int bold)
{
	size_t len = strlen(s);
	while (len > 4 && width(b, s, size, bold) > w) {
		len--;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80) /* a whole character */
			len--;
		memcpy(s + len, "...", 4);
	}
}

/* Grows `*a` (of `*cap` elements of `size` bytes) to hold at least `n`. */
static int grow(void *a, size_t *cap, size_t n, size_t size)
{
	if (n <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : 16;
	while (ncap < n)
		ncap *= 2;
	void *p = realloc(*(void **)a, ncap * size);
	if (!p)
		return -ENOMEM;
	*(void **)a = p;
	*cap = ncap;
	return 0;
}

static double px(const mp_plot_model *m, double t)
{
	return m->x0 + (t - m->tmin) / (m->tmax - m->tmin) * (m->x1 - m->x0);
}

static double py(const mp_plot_model *m, double mem)
{
	return m->y1 - (mem - m->mmin) / (m->mmax - m->mmin) * (m->y1 - m->y0);
}

/* Seconds since the profile's start. */
static double rel(const mp_profile *pr, double t)
{
	return t - pr->t_first;
}

static int in_window(const mp_plot_model *m, double t)
{
	return t >= m->tmin && t <= m->tmax;
}

/* A "nice" tick step (1, 2 or 5 times a power of ten) for about `n` ticks over `range`. */
static double nice_step(double range, double n)
{
	if (!(range > 0) || n < 1)
		return 1;
	double raw = range / n, mag = pow(10, floor(log10(raw))), f = raw / mag;
	return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

/* The k-th tick at or after `lo`: computed, not accumulated, so a step below the
 * precision of `lo` cannot loop forever (the ticks also stop at MP_PLOT_MAX_TICKS). */
static double tick(double lo, double step, int k)
{
	return (ceil(lo / step) + k) * step;
}

static void format_tick(char *buf, size_t cap, double v, double step)
{
	int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
	if (dec > 6)
		dec = 6;
	if (fabs(v) < step * 1e-6)
		v = 0;
	snprintf(buf, cap, "%.*f", dec, v);
}

uint32_t mp_plot_gc_color(int gen)
{
	return gc_colors[gen < 0 ? 0 : gen > 2 ? 2 : gen];
}

/* Shade k of a colour: 0 itself, 1 darker, 2 lighter. */
static uint32_t shade(uint32_t c, int k)
{
	if (!k)
		return c;
	uint32_t out = 0;
	for (int sh = 16; sh >= 0; sh -= 8) {
		double v = (c >> sh) & 0xff;
		v = k == 1 ? v * 0.6 : v + (255 - v) * 0.45;
		out |= (uint32_t)lround(v) << sh;
	}
	return out;
}

/* Each function's colour: its name's hash picks a hue, so a function keeps its colour from
 * one profile to the next; a hue already taken goes to the next free one, so that no two
 * functions share a colour while hues (then shades) remain. */
static int function_colors(builder *b)
{
	mp_plot_model *m = b->m;
	const mp_profile *pr = b->profs[0];
	enum { SLOTS = (int)NCOLORS(func_colors) * FUNC_SHADES };
	unsigned char used[SLOTS] = {0};
	if (!pr->nfnames)
		return 0;
	m->fn_colors = malloc(pr->nfnames * sizeof *m->fn_colors);
	if (!m->fn_colors)
		return -ENOMEM;
	for (size_t fn = 0; fn < pr->nfnames; fn++) {
		uint32_t h = 2166136261u; /* FNV-1a */
		for (const unsigned char *c = (const unsigned char *)pr->fnames[fn]; *c; c++)
			h = (h ^ *c) * 16777619u;
		size_t hues = NCOLORS(func_colors), start = h % hues, slot = start;
		/* Every hue before any shade; all 60 taken: colours repeat. */
		for (size_t k = 0; k < (size_t)SLOTS; k++) {
			size_t cand = k / hues * hues + (start + k) % hues;
			if (!used[cand]) {
				slot = cand;
				break;
			}
		}
		used[slot] = 1;
		m->fn_colors[fn] = shade(func_colors[slot % hues], (int)(slot / hues));
	}
	return 0;
}

/* --- decimation -------------------------------------------------------------------------- */

static size_t lower(const mp_point *a, size_t n, double t)
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

static size_t upper(const mp_point *a, size_t n, double t)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a[mid].t <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t mp_plot_decimate(const mp_point *pts, size_t n, double t0, double t1, int cols,
			mp_point *out)
{
	size_t i0 = lower(pts, n, t0), i1 = upper(pts, n, t1), o = 0;
	if (cols < 1)
		cols = 1;
	if (i0 > 0)
		out[o++] = pts[i0 - 1];
	if (i1 - i0 <= 4 * (size_t)cols || !(t1 > t0)) {
		size_t k = i1 - i0 <= 4 * (size_t)cols ? i1 - i0 : 4 * (size_t)cols;
		memcpy(out + o, pts + i0, k * sizeof *out);
		o += k;
	} else {
		double scale = cols / (t1 - t0);
		size_t first = i0, lo = i0, hi = i0, last = i0;
		long col = -1;
		for (size_t i = i0; i <= i1; i++) {
			long c = -2;
			if (i < i1) {
				c = (long)((pts[i].t - t0) * scale);
				if (c >= cols)
					c = cols - 1;
			}
			if (c != col) {
				if (col >= 0) {
					/* The column's first, lowest, highest and last, in time order. */
					size_t idx[4] = {first, lo < hi ? lo : hi, lo < hi ? hi : lo, last};
					for (int k = 0; k < 4; k++)
						if (k == 0 || idx[k] != idx[k - 1])
							out[o++] = pts[idx[k]];
				}
				if (i == i1)
					break;
				col = c;
				first = lo = hi = last = i;
				continue;
			}
			if (pts[i].mem < pts[lo].mem)
				lo = i;
			if (pts[i].mem > pts[hi].mem)
				hi = i;
			last = i;
		}
	}
	if (i1 < n)
		out[o++] = pts[i1];
	return o;
}

/* --- statistics -------------------------------------------------------------------------- */

/* The least-squares line through every sample (seconds since the start, MiB). */
static void fit_trend(const mp_profile *pr, double *slope, double *intercept)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, k = (double)pr->nmem;
	for (size_t i = 0; i < pr->nmem; i++) {
		double x = rel(pr, pr->mem[i].t), y = pr->mem[i].mem;
		sx += x, sy += y, sxx += x * x, sxy += x * y;
	}
	double d = k * sxx - sx * sx, a = d != 0 ? (k * sxy - sx * sy) / d : 0;
	*slope = a;
	*intercept = (sy - a * sx) / k;
}

/* --- legend entries ---------------------------------------------------------------------- */

static int add_key(builder *b, mp_plot_key_kind kind, mp_plot_key_role role, uint32_t c,
		   const char *text)
{
	mp_plot_model *m = b->m;
	if (grow(&m->keys, &b->cap_keys, m->nkeys + 1, sizeof *m->keys) < 0)
		return -ENOMEM;
	mp_plot_key *k = &m->keys[m->nkeys++];
	memset(k, 0, sizeof *k);
	k->kind = kind;
	k->role = role;
	k->color = c;
	k->colors[0] = c;
	k->ncolors = 1;
	snprintf(k->text, sizeof k->text, "%s", text);
	return 0;
}

/* The path's last `parts` components ("b/x.dat" for 2 of "a/b/x.dat"), or the whole path. */
static const char *path_tail(const char *path, int parts)
{
	const char *s = path + strlen(path);
	while (s > path && s[-1] == '/') /* a trailing slash is not a component */
		s--;
	for (int k = 0; s > path; s--)
		if (s[-1] == '/' && ++k == parts)
			return s;
	return path;
}

/* Profile `f`'s name in the legend, telling it apart from the others: its file name, with as
 * many directories as it takes to differ from the other files; "#2" for the same file twice;
 * the command (shortened) when the profiles ran different commands. */
static void file_label(const builder *b, size_t f, char *out, size_t cap)
{
	int parts = 1;
	for (; parts < 8; parts++) {
		int clash = 0;
		for (size_t g = 0; g < b->n && !clash; g++)
			clash = g != f && !strcmp(path_tail(b->names[f], parts),
						  path_tail(b->names[g], parts));
		if (!clash)
			break;
	}
	const char *name = path_tail(b->names[f], parts);
	int same_file = 0, other_cmd = 0;
	for (size_t g = 0; g < b->n; g++) {
		if (g == f)
			continue;
		same_file |= !strcmp(b->names[g], b->names[f]);
		const char *c0 = b->profs[f]->cmdline, *c1 = b->profs[g]->cmdline;
		other_cmd |= (c0 || c1) && (!c0 || !c1 || strcmp(c0, c1));
	}
	size_t len = (size_t)snprintf(out, cap, "%s", name);
	if (same_file && len < cap)
		len += (size_t)snprintf(out + len, cap - len, " #%zu", f + 1);
	if (other_cmd && b->profs[f]->cmdline && len < cap)
		snprintf(out + len, cap - len, " (%.40s%s)", b->profs[f]->cmdline,
			 strlen(b->profs[f]->cmdline) > 40 ? "..." : "");
}

/* The legend's entries: curves (with their trend, fitted here once), children, peak band,
 * functions, GC generations, the exit. */
/* The legend's entry for generation `gen`: the runs and time of each GC row's profile, in the
 * rows' order ("GC gen 0: 3 runs, 1.2 ms"; an overlay's "GC gen 0: 12 + 30 runs, 3.1 + 8.0
 * ms"); none when no profile ran one. */
static int gc_key(builder *b, int gen)
{
	char runs_text[96] = "", ms_text[96] = "";
	size_t rlen = 0, mlen = 0, any = 0;
	int rows = b->m->ngc_rows;
	for (int r = 0; r < rows; r++) {
		const mp_profile *pr = b->profs[b->m->gc_rows[r].file];
		size_t runs = 0;
		double total = 0;
		for (size_t i = 0; i < pr->ngcs; i++)
			if ((pr->gcs[i].gen < 2 ? pr->gcs[i].gen : 2) == gen) {
				runs++;
				total += pr->gcs[i].t1 - pr->gcs[i].t0;
			}
		any += runs;
		const char *sep = r > 0 ? " + " : "";
		if (rlen < sizeof runs_text)
			rlen += (size_t)snprintf(runs_text + rlen, sizeof runs_text - rlen, "%s%zu", sep,
						 runs);
		if (mlen < sizeof ms_text)
			mlen += (size_t)snprintf(ms_text + mlen, sizeof ms_text - mlen, "%s%.1f", sep,
						 total * 1e3);
	}
	if (!any)
		return 0;
	char text[240];
	snprintf(text, sizeof text, "GC gen %d%s: %s run%s, %s ms", gen, gen == 2 ? "+" : "",
		 runs_text, any == 1 && rows == 1 ? "" : "s", ms_text);
	int rc = add_key(b, MP_KEY_BOX, MP_ROLE_GC, gc_colors[gen], text);
	if (rc == 0)
		b->m->keys[b->m->nkeys - 1].gen = gen;
	return rc;
}

static int build_keys(builder *b)
{
	mp_plot_model *m = b->m;
	char text[200];
	int rc = 0;
	for (size_t f = 0; f < b->n && rc == 0; f++) {
		const mp_profile *pr = b->profs[f];
		mp_plot_file *fi = &m->files[f];
		if (b->n > 1 || !pr->cmdline)
			file_label(b, f, text, sizeof text);
		else
			snprintf(text, sizeof text, "memory (%zu samples)", pr->nmem);
		if (b->o->slope && pr->nmem > 1) {
			fi->has_trend = 1;
			fit_trend(pr, &fi->slope, &fi->intercept);
			size_t len = strlen(text);
			snprintf(text + len, sizeof text - len, " slope %.5f MiB/s", fi->slope);
		}
		rc = add_key(b, MP_KEY_LINE, MP_ROLE_CURVE, fi->color, text);
		for (size_t c = 0; c < pr->nchildren && rc == 0; c++) {
			snprintf(text, sizeof text, "child %ld", pr->children[c].pid);
			rc = add_key(b, MP_KEY_LINE, MP_ROLE_CHILD,
				     child_colors[c % NCOLORS(child_colors)], text);
		}
	}
	/* The band's swatch has a stripe in the colour of each profile that has PEAK lines. */
	uint32_t band_colors[MP_PLOT_KEY_COLORS];
	int nband = 0;
	for (size_t f = 0; f < b->n; f++)
		if (b->profs[f]->npeaks > 0 && nband < MP_PLOT_KEY_COLORS)
			band_colors[nband++] = m->files[f].color;
	if (nband && rc == 0) {
		rc = add_key(b, MP_KEY_BAND, MP_ROLE_BAND, band_colors[0],
			     "true peak between samples");
		if (rc == 0) {
			mp_plot_key *k = &m->keys[m->nkeys - 1];
			memcpy(k->colors, band_colors, sizeof band_colors);
			k->ncolors = nband;
		}
	}
	if (!m->single) {
		for (int gen = 0; gen < 3 && rc == 0; gen++)
			rc = gc_key(b, gen);
		return rc;
	}
	if (rc < 0)
		return rc;
	const mp_profile *pr = b->profs[0];
	if ((rc = function_colors(b)) < 0)
		return rc;
	if (!b->o->no_functions) {
		mp_func_index ix;
		if (mp_func_index_build(pr, &ix) < 0)
			return -ENOMEM;
		for (size_t fn = 0; fn < pr->nfnames && rc == 0; fn++) {
			size_t calls = ix.first[fn + 1] - ix.first[fn];
			double total = 0;
			for (size_t k = ix.first[fn]; k < ix.first[fn + 1]; k++)
				total += pr->calls[ix.order[k]].t1 - pr->calls[ix.order[k]].t0;
			snprintf(text, sizeof text, "%.120s: %zu call%s, %.3f s", pr->fnames[fn], calls,
				 calls == 1 ? "" : "s", total);
			rc = add_key(b, b->o->flame ? MP_KEY_BOX : MP_KEY_LINE, MP_ROLE_FUNC,
				     m->fn_colors[fn], text);
		}
		mp_func_index_release(&ix);
	}
	for (int gen = 0; gen < 3 && rc == 0; gen++)
		rc = gc_key(b, gen);
	if (pr->has_exit && rc == 0) {
		int st = pr->exit_status;
		if (st > 128 && st < 128 + 65)
			snprintf(text, sizeof text, "killed by signal %d at %.2f s", st - 128,
				 rel(pr, pr->exit_t));
		else
			snprintf(text, sizeof text, "exited with status %d at %.2f s", st,
				 rel(pr, pr->exit_t));
		rc = add_key(b, MP_KEY_TEXT, MP_ROLE_EXIT, TEXT_COLOR, text);
	}
	return rc;
}

/* --- layout and ranges ------------------------------------------------------------------- */

static int lane_levels(const builder *b)
{
	if (!b->m->single || !b->o->flame || b->o->no_functions)
		return 0;
	int levels = 0;
	const mp_profile *pr = b->profs[0];
	for (size_t i = 0; i < pr->ncalls; i++) {
		int l = pr->calls[i].level < 0 ? 0 : pr->calls[i].level;
		if (l + 1 > levels)
			levels = l + 1;
	}
	return levels > MP_PLOT_LANE_MAX ? MP_PLOT_LANE_MAX : levels;
}

/* The plot area, the GC lane under it, the flame lane under that, and the legend's left edge
 * (the legend is as wide as its longest entry, up to a third of the picture). */
static void layout(builder *b)
{
	mp_plot_model *m = b->m;
	double top = 14, bottom = 46, left = 64;
	if (m->has_title)
		top = 40;
	double legend_w = 0;
	for (size_t i = 0; i < m->nkeys; i++) {
		double w = width(b, m->keys[i].text, MP_PLOT_SMALL_SIZE, 0);
		if (w > legend_w)
			legend_w = w;
	}
	/* Rows that fit beside the plot (legend() counts them again): when some entries will be
	 * folded, the "and N more functions" row must fit too. */
	double rows = (m->height - bottom - top - 10) / LEGEND_ROW;
	if ((double)m->nkeys > rows) {
		char more[64];
		snprintf(more, sizeof more, "and %zu more functions", m->nkeys);
		double w = width(b, more, MP_PLOT_SMALL_SIZE, 0);
		if (w > legend_w)
			legend_w = w;
	}
	legend_w += 40;
	if (legend_w > m->width * 0.34)
		legend_w = m->width * 0.34;
	m->lane_levels = lane_levels(b);
	/* The lane takes at most 40% of the height: deeper levels are left out. */
	int room = (int)((m->height - top - bottom) * 0.4 / MP_PLOT_LANE_ROW);
	if (m->lane_levels > room)
		m->lane_levels = room > 0 ? room : 0;
	double lane = m->lane_levels ? m->lane_levels * MP_PLOT_LANE_ROW + 8 : 0;
	double gc = m->ngc_rows ? m->ngc_rows * MP_PLOT_GC_LANE + 4 : 0;
	m->x0 = left;
	m->x1 = m->width - legend_w - 16;
	m->y0 = top;
	m->y1 = m->height - bottom - lane - gc;
	if (m->ngc_rows) {
		m->gc_y0 = m->y1 + 4;
		m->gc_y1 = m->gc_y0 + m->ngc_rows * MP_PLOT_GC_LANE;
		for (int r = 0; r < m->ngc_rows; r++) {
			mp_plot_gc_row *row = &m->gc_rows[r];
			row->y0 = m->gc_y0 + r * MP_PLOT_GC_LANE;
			row->y1 = row->y0 + MP_PLOT_GC_LANE;
			row->bar_y0 = row->y0 + 12;
		}
		m->gc_bar_y0 = m->gc_rows[0].bar_y0;
	}
	m->lane_y0 = (m->ngc_rows ? m->gc_y1 : m->y1) + 6;
	m->lane_y1 = m->lane_y0 + m->lane_levels * MP_PLOT_LANE_ROW;
	m->legend.x = m->x1 + 12;
	int c = (int)((m->x1 - m->x0) * m->scale);
	m->columns = c < 1 ? 1 : c;
}

static void time_range(builder *b)
{
	mp_plot_model *m = b->m;
	double span = 0;
	for (size_t f = 0; f < b->n; f++)
		if (b->profs[f]->t_last - b->profs[f]->t_first > span)
			span = b->profs[f]->t_last - b->profs[f]->t_first;
	if (!(span < LIMIT))
		span = LIMIT;
	m->tmin = b->o->has_tmin ? b->o->tmin : 0;
	m->tmax = b->o->has_tmax ? b->o->tmax : span;
	if (!(fabs(m->tmin) < LIMIT) || !(fabs(m->tmax) < LIMIT))
		m->tmin = 0, m->tmax = span;
	/* Nothing to span (one sample, or an open window starting after the end): one second. */
	if (!(m->tmax > m->tmin))
		m->tmax = m->tmin + 1;
	/* A window narrower than the precision of its ends: widen it to something drawable. */
	if (m->tmax - m->tmin < fabs(m->tmin) * 1e-9)
		m->tmax = m->tmin + fabs(m->tmin) * 1e-9;
}

static void widen(double *lo, double *hi, double v)
{
	if (v < *lo)
		*lo = v;
	if (v > *hi)
		*hi = v;
}

/* The memory range of what is drawn inside the time window, with head room for the peak's
 * label. From 0 when that leaves the data at least half the height (the honest baseline a
 * reader of a memory plot expects); otherwise fitted to the data with a margin, as
 * memory_profiler's autoscaled axis is, so that an 8 MiB leak on a 2,000 MiB process shows
 * its creep. --ylim sets either end. */
static void memory_range(builder *b)
{
	mp_plot_model *m = b->m;
	double lo = INFINITY, hi = -INFINITY;
	for (size_t f = 0; f < b->n; f++) {
		const mp_profile *pr = b->profs[f];
		for (size_t i = 0; i < pr->nmem; i++)
			if (in_window(m, rel(pr, pr->mem[i].t)))
				widen(&lo, &hi, pr->mem[i].mem);
		for (size_t i = 0; i < pr->npeaks; i++)
			if (in_window(m, rel(pr, pr->peaks[i].t)))
				widen(&lo, &hi, pr->peaks[i].mem);
		for (size_t c = 0; c < pr->nchildren; c++)
			for (size_t i = 0; i < pr->children[c].n; i++)
				if (in_window(m, rel(pr, pr->children[c].pts[i].t)))
					widen(&lo, &hi, pr->children[c].pts[i].mem);
	}
	if (!(lo <= hi)) /* nothing inside the window */
		lo = hi = 0;
	lo = lo < -LIMIT ? -LIMIT : lo > LIMIT ? LIMIT : lo;
	hi = hi > LIMIT ? LIMIT : hi < -LIMIT ? -LIMIT : hi;
	const mp_plot_opts *o = b->o;
	int fixed_lo = o->has_mmin && fabs(o->mmin) < LIMIT;
	int fixed_hi = o->has_mmax && fabs(o->mmax) < LIMIT;
	double base;
	if (fixed_lo)
		base = o->mmin;
	else if (lo >= 0 && lo <= hi / 2)
		base = 0;
	else if (fixed_hi && lo >= 0 && lo <= o->mmax / 2)
		base = 0;
	else {
		/* A margin of 5% of the data's spread (of 1% of its level when flat). */
		double spread = hi - lo > 0 ? hi - lo : fmax(fabs(hi) * 0.01, 1);
		base = lo - spread * 0.05;
	}
	double top = fixed_hi ? o->mmax : hi;
	if (!(top > base))
		top = base + (fixed_hi ? fabs(base) * 1e-9 + 1e-9 : 1);
	double step = nice_step(top - base, 6);
	m->mmin = fixed_lo || base == 0 ? base : floor(base / step) * step;
	m->mmax = fixed_hi ? top : ceil((top + (top - m->mmin) * 0.08) / step) * step;
	if (!(m->mmax > m->mmin))
		m->mmax = m->mmin + 1;
}

/* --- elements ---------------------------------------------------------------------------- */

/* Ticks about every 90 px of time and 60 px of memory, on round values, with their labels
 * under the plot (or the lane) and left of it; grid lines on device pixel middles. */
static void axes(builder *b)
{
	mp_plot_model *m = b->m;
	mp_plot_axis *ta = &m->time_axis, *ma = &m->mem_axis;
	double s = m->scale;
	double label_y = (m->lane_levels ? m->lane_y1 : m->ngc_rows ? m->gc_y1 : m->y1) + 15;
	ta->step = nice_step(m->tmax - m->tmin, (m->x1 - m->x0) / 90);
	for (int k = 0; k < MP_PLOT_MAX_TICKS; k++) {
		double t = tick(m->tmin, ta->step, k);
		if (!(t <= m->tmax + ta->step * 1e-9))
			break;
		mp_plot_tick *tk = &ta->ticks[ta->nticks++];
		tk->value = t;
		tk->pos = px(m, t);
		tk->grid = floor(tk->pos * s) / s + 0.5 / s;
		format_tick(tk->label, sizeof tk->label, t, ta->step);
		tk->at.x = tk->pos - width(b, tk->label, MP_PLOT_SMALL_SIZE, 0) / 2;
		tk->at.y = label_y;
	}
	ma->step = nice_step(m->mmax - m->mmin, (m->y1 - m->y0) / 60);
	for (int k = 0; k < MP_PLOT_MAX_TICKS; k++) {
		double v = tick(m->mmin, ma->step, k);
		if (!(v <= m->mmax + ma->step * 1e-9))
			break;
		mp_plot_tick *tk = &ma->ticks[ma->nticks++];
		tk->value = v;
		tk->pos = py(m, v);
		tk->grid = floor(tk->pos * s) / s + 0.5 / s;
		format_tick(tk->label, sizeof tk->label, v, ma->step);
		tk->at.x = m->x0 - 7 - width(b, tk->label, MP_PLOT_SMALL_SIZE, 0);
		tk->at.y = tk->pos + 4;
	}
	snprintf(ta->title, sizeof ta->title, "time (s)");
	ta->title_at.x = (m->x0 + m->x1) / 2 - width(b, ta->title, MP_PLOT_FONT_SIZE, 0) / 2;
	ta->title_at.y = label_y + 17;
	snprintf(ma->title, sizeof ma->title, "memory (MiB)");
	ma->title_at.x = 16;
	ma->title_at.y = (m->y0 + m->y1) / 2 + width(b, ma->title, MP_PLOT_FONT_SIZE, 0) / 2;
}

/* A dense curve (more points than columns, in b->buf) as one bar per device pixel column,
 * from its lowest to its highest point, taking in the line from the previous column's last
 * point: the pixels a stroke of the polyline would cover, at a fraction of the cost (a stroke
 * zigzagging up and down every column makes cairo rasterize each column many times). */
static int curve_bars(builder *b, mp_plot_curve *cv, const mp_profile *pr, size_t k)
{
	mp_plot_model *m = b->m;
	int cols = m->columns;
	double half = cv->width / 2, dx = 1.0 / m->scale;
	double x0d = m->x0 * m->scale;
	long col = -3; /* below any column (they start at -1) */
	double lo = 0, hi = 0, prev = NAN;
	/* One bar per column from -1 to cols. */
	cv->bars = malloc(((size_t)cols + 2) * sizeof *cv->bars);
	if (!cv->bars)
		return -ENOMEM;
	for (size_t i = 0; i <= k; i++) {
		long c = (long)cols + 1; /* past the last: ends the last bar */
		double y = 0;
		if (i < k) {
			double xd = px(m, rel(pr, b->buf[i].t)) * m->scale;
			c = (long)floor(xd - x0d);
			if (c < -1)
				c = -1;
			if (c > cols)
				c = cols;
			y = py(m, b->buf[i].mem);
		}
		if (c != col) {
			if (col != -3)
				cv->bars[cv->nbars++] = (mp_plot_rect){(x0d + (double)col) / m->scale,
								       lo - half, dx, hi - lo + 2 * half};
			if (i == k)
				break;
			col = c;
			lo = hi = y;
			if (!isnan(prev)) { /* the segment from the previous column */
				lo = fmin(lo, prev);
				hi = fmax(hi, prev);
			}
		}
		lo = fmin(lo, y);
		hi = fmax(hi, y);
		prev = y;
	}
	return 0;
}

/* A curve of `pts` (epoch times of profile `pr`), decimated to the plot's columns. */
static int curve(builder *b, mp_plot_curve *cv, const mp_profile *pr, const mp_point *pts,
		 size_t n, uint32_t color, double lw)
{
	mp_plot_model *m = b->m;
	int cols = m->columns;
	cv->color = color;
	cv->width = lw;
	size_t k = mp_plot_decimate(pts, n, m->tmin + pr->t_first, m->tmax + pr->t_first, cols,
				    b->buf);
	cv->ndecimated = k;
	if (!k)
		return 0;
	if (k > 3 * (size_t)cols) { /* several points a column: bars look the same */
		cv->kind = MP_CURVE_BARS;
		return curve_bars(b, cv, pr, k);
	}
	cv->kind = k == 1 ? MP_CURVE_DOT : MP_CURVE_LINE;
	/* Round joins look best on a sparse curve; on a denser one they cost and show nothing. */
	cv->round_joins = k < (size_t)cols;
	cv->pts = malloc(k * sizeof *cv->pts);
	cv->dots = malloc(k * sizeof *cv->dots);
	if (!cv->pts || !cv->dots)
		return -ENOMEM;
	for (size_t i = 0; i < k; i++)
		cv->pts[i] = (mp_plot_xy){px(m, rel(pr, b->buf[i].t)), py(m, b->buf[i].mem)};
	cv->npts = k;
	/* Sample dots only where samples are sparse: far from both neighbours. */
	for (size_t i = 0; i < k; i++) {
		double x = cv->pts[i].x;
		if (i > 0 && x - cv->pts[i - 1].x < MARKER_GAP)
			continue;
		if (i + 1 < k && cv->pts[i + 1].x - x < MARKER_GAP)
			continue;
		cv->dots[cv->ndots++] = cv->pts[i];
	}
	return 0;
}

/* The PEAK lines as bands above the sampled curve: each fills the interval it covers, from
 * the line between its two samples up to its value. */
static int bands(builder *b, mp_plot_file *fi, const mp_profile *pr)
{
	mp_plot_model *m = b->m;
	double lo = m->tmin + pr->t_first, hi = m->tmax + pr->t_first;
	double last_x = -1e30;
	size_t cap = 0;
	for (size_t i = 0; i < pr->npeaks; i++) {
		const mp_point *pk = &pr->peaks[i];
		size_t j = upper(pr->mem, pr->nmem, pk->t); /* samples at or before: [0, j) */
		if (!j)
			continue;
		const mp_point *sb = &pr->mem[j - 1];
		const mp_point *sa = j >= 2 ? &pr->mem[j - 2] : sb;
		if (sb->t < pk->t) /* the last, partial interval: after the last sample */
			sa = sb;
		double t0 = sa->t, t1 = pk->t;
		if (t1 < lo || t0 > hi)
			continue;
		double ma = sa->mem, mb = sb->t < pk->t ? sa->mem : sb->mem;
		if (pk->mem <= ma && pk->mem <= mb)
			continue;
		double x0 = px(m, rel(pr, t0)), x1 = px(m, rel(pr, t1));
		/* Many bands in one pixel column: the first (and highest) is enough. */
		if (x1 - last_x < 0.5 / m->scale && x1 >= last_x)
			continue;
		last_x = x1;
		if (x1 - x0 < 1.0 / m->scale)
			x0 = x1 - 1.0 / m->scale;
		if (grow(&fi->bands, &cap, fi->nbands + 1, sizeof *fi->bands) < 0)
			return -ENOMEM;
		fi->bands[fi->nbands++] = (mp_plot_band){x0, x1, py(m, ma), py(m, pk->mem), py(m, mb)};
	}
	return 0;
}

static int overlaps(const mp_plot_rect *a, const mp_plot_rect *c)
{
	return a->x < c->x + c->w && c->x < a->x + a->w && a->y < c->y + c->h && c->y < a->y + a->h;
}

/* The peak's marker and its label: right of it and above (left near the plot's right edge,
 * below near its top), or, when that would cover an earlier profile's label, the next of
 * the other places, then further down. */
static void peak(builder *b, mp_plot_file *fi, const mp_profile *pr, size_t f)
{
	mp_plot_model *m = b->m;
	double mem, t;
	if (mp_profile_peak(pr, &mem, &t) < 0 || !in_window(m, rel(pr, t)))
		return;
	fi->has_peak = 1;
	fi->peak_mem = mem;
	fi->peak_t = rel(pr, t);
	fi->peak_color = b->n == 1 ? PEAK_COLOR : file_colors[f % NCOLORS(file_colors)];
	double x = px(m, rel(pr, t)), y = py(m, mem);
	fi->peak = (mp_plot_xy){x, y};
	fi->peak_line = m->single; /* with several files, the lines would only clutter */
	mp_plot_text *l = &fi->peak_label;
	snprintf(l->text, sizeof l->text, "peak %.1f MiB at %.2f s", mem, rel(pr, t));
	double w = width(b, l->text, MP_PLOT_SMALL_SIZE, 1);
	int right = x + 8 + w <= m->x1, up = y - 7 >= m->y0 + 12;
	for (int k = 0; k < 16; k++) {
		int r = k % 2 ? !right : right, u = k / 2 % 2 ? !up : up;
		double tx = r ? x + 8 : x - 8 - w;
		double ty = (u ? y - 7 : y + 16) + (k / 4) * 15.0 * (u ? -1 : 1);
		tx = fmax(m->x0 + 2, fmin(tx, m->x1 - w - 2));
		ty = fmax(m->y0 + 12, fmin(ty, m->y1 - 3));
		mp_plot_rect halo = {tx - 2, ty - 11, w + 4, 14};
		int clash = 0;
		for (size_t g = 0; g < f && !clash; g++)
			clash = m->files[g].has_peak && overlaps(&halo, &m->files[g].peak_halo);
		if (clash && k < 15)
			continue;
		l->x = tx;
		l->y = ty;
		fi->peak_halo = halo;
		return;
	}
}

static int files(builder *b)
{
	mp_plot_model *m = b->m;
	int rc;
	for (size_t f = 0; f < b->n; f++) {
		const mp_profile *pr = b->profs[f];
		mp_plot_file *fi = &m->files[f];
		if ((rc = bands(b, fi, pr)) < 0)
			return rc;
		if (pr->nchildren) {
			fi->children = calloc(pr->nchildren, sizeof *fi->children);
			if (!fi->children)
				return -ENOMEM;
			fi->nchildren = pr->nchildren;
		}
		for (size_t c = 0; c < pr->nchildren; c++)
			if ((rc = curve(b, &fi->children[c], pr, pr->children[c].pts,
					pr->children[c].n, child_colors[c % NCOLORS(child_colors)],
					1.5)) < 0)
				return rc;
		if ((rc = curve(b, &fi->curve, pr, pr->mem, pr->nmem, fi->color, 1.8)) < 0)
			return rc;
		if (fi->has_trend) {
			fi->trend[0] = (mp_plot_xy){m->x0, py(m, fi->slope * m->tmin + fi->intercept)};
			fi->trend[1] = (mp_plot_xy){m->x1, py(m, fi->slope * m->tmax + fi->intercept)};
		}
		peak(b, fi, pr, f);
	}
	return 0;
}

/* GC runs as thin guide lines across the memory plot, at their start, where they do not
 * crowd (one a device pixel column). */
static int gc_spans(builder *b)
{
	mp_plot_model *m = b->m;
	const mp_profile *pr = b->profs[0];
	double last = -1e30;
	if (!pr->ngcs)
		return 0;
	m->gcs = malloc(pr->ngcs * sizeof *m->gcs);
	if (!m->gcs)
		return -ENOMEM;
	for (size_t i = 0; i < pr->ngcs; i++) {
		const mp_gc *g = &pr->gcs[i];
		double x0 = px(m, rel(pr, g->t0)), x1 = px(m, rel(pr, g->t1));
		if (x1 < m->x0 || x0 > m->x1 || x0 - last < 1.0 / m->scale)
			continue;
		last = x0;
		int gen = g->gen < 2 ? g->gen : 2;
		m->gcs[m->ngcs++] = (mp_plot_gc_span){gc_colors[gen], gen, x0, 1.0 / m->scale};
	}
	return 0;
}

typedef struct label_slot {
	size_t bar;
	int gen;
	long collected;
	double freed;
} label_slot;

/* Labels go first to the older generations, then to the collections that freed most. */
static int label_order(const void *pa, const void *pb)
{
	const label_slot *a = pa, *b = pb;
	if (a->gen != b->gen)
		return b->gen - a->gen;
	if (a->collected != b->collected)
		return a->collected < b->collected ? 1 : -1;
	if (a->freed != b->freed)
		return a->freed < b->freed ? 1 : -1;
	return a->bar < b->bar ? -1 : a->bar > b->bar;
}

/* What a bar's collections freed, as its label says it: "1234 obj", ", 2.1 MiB" when the
 * memory dropped across them. Empty when they freed nothing. */
static void gc_label(char *out, size_t cap, long collected, double freed)
{
	size_t len = 0;
	out[0] = 0;
	if (collected > 0)
		len = (size_t)snprintf(out, cap, collected >= 100000 ? "%.0fk obj" : "%.0f obj",
				       collected >= 100000 ? (double)collected / 1e3 : (double)collected);
	if (freed >= 0.05 && len < cap)
		snprintf(out + len, cap - len, "%s%.1f MiB", len ? ", " : "", freed);
}

/* Labels over the bars, wherever they fit without touching another (older generations and
 * bigger collections first): centred on their bar, kept inside the plot's width. */
static int gc_labels(builder *b, const mp_plot_gc_row *row, mp_plot_gc_bar *bars, size_t n)
{
	mp_plot_model *m = b->m;
	size_t placed = 0;
	label_slot *order = malloc(n * sizeof *order);
	double *spans = malloc(2 * n * sizeof *spans);
	if (!order || !spans) {
		free(order);
		free(spans);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = (label_slot){i, bars[i].gen, bars[i].collected, bars[i].freed};
	qsort(order, n, sizeof *order, label_order);
	for (size_t k = 0; k < n; k++) {
		mp_plot_gc_bar *bar = &bars[order[k].bar];
		double mid = bar->box.x + bar->box.w / 2;
		int inside = 0;
		for (size_t p = 0; p < placed && !inside; p++)
			inside = mid >= spans[2 * p] && mid <= spans[2 * p + 1];
		if (inside)
			continue;
		gc_label(bar->label, sizeof bar->label, bar->collected, bar->freed);
		if (!bar->label[0])
			continue;
		double w = width(b, bar->label, MP_PLOT_SMALL_SIZE, 0);
		double x = mid - w / 2;
		if (x + w > m->x1)
			x = m->x1 - w;
		if (x < m->x0)
			x = m->x0;
		int clash = w > m->x1 - m->x0;
		for (size_t p = 0; p < placed && !clash; p++)
			clash = x < spans[2 * p + 1] + 6 && x + w + 6 > spans[2 * p];
		if (clash) {
			bar->label[0] = 0;
			continue;
		}
		spans[2 * placed] = x;
		spans[2 * placed + 1] = x + w;
		placed++;
		bar->has_label = 1;
		bar->at = (mp_plot_xy){x, row->y0 + 9.5};
	}
	free(order);
	free(spans);
	return 0;
}

/* Row `r` of the GC lane (one profile's): a bar per collection inside the window, as wide as it
 * lasted and at least MP_PLOT_GC_MIN_W, moved left at the plot's right edge so that a collection at exit stays
 * whole; as tall as its generation. Collections of one generation that would overlap are one
 * bar, counting them all. */
static int gc_row_bars(builder *b, int r, size_t *cap)
{
	mp_plot_model *m = b->m;
	const mp_plot_gc_row *row = &m->gc_rows[r];
	const mp_profile *pr = b->profs[row->file];
	double bar_row = row->y1 - 1 - row->bar_y0;
	size_t first = m->ngc_bars;
	for (int gen = 0; gen < 3; gen++) {
		mp_plot_gc_bar *last = NULL;
		for (size_t i = 0; i < pr->ngcs; i++) {
			const mp_gc *g = &pr->gcs[i];
			if ((g->gen < 2 ? g->gen : 2) != gen)
				continue;
			double t0 = rel(pr, g->t0), t1 = rel(pr, g->t1);
			if (t1 < m->tmin || t0 > m->tmax)
				continue;
			double x0 = fmax(px(m, t0), m->x0), x1 = fmin(px(m, t1), m->x1);
			if (x1 - x0 < MP_PLOT_GC_MIN_W)
				x1 = x0 + MP_PLOT_GC_MIN_W;
			if (x1 > m->x1) {
				x0 -= x1 - m->x1;
				x1 = m->x1;
			}
			double freed = g->m0 > g->m1 ? g->m0 - g->m1 : 0;
			long got = g->collected > 0 ? g->collected : 0;
			if (last && x0 < last->box.x + last->box.w) {
				double end = fmax(last->box.x + last->box.w, x1);
				last->box.w = end - last->box.x;
				last->runs++;
				last->collected += got;
				last->freed += freed;
				continue;
			}
			if (grow(&m->gc_bars, cap, m->ngc_bars + 1, sizeof *m->gc_bars) < 0)
				return -ENOMEM;
			last = &m->gc_bars[m->ngc_bars++];
			double h = bar_row * (gen + 1) / 3;
			*last = (mp_plot_gc_bar){.color = gc_colors[gen], .gen = gen, .row = r, .first = i,
						 .runs = 1, .box = {x0, row->y1 - 1 - h, x1 - x0, h},
						 .collected = got, .freed = freed};
		}
	}
	return m->ngc_bars > first ? gc_labels(b, row, m->gc_bars + first, m->ngc_bars - first) : 0;
}

static int gc_bars(builder *b)
{
	size_t cap = 0;
	int rc = 0;
	for (int r = 0; r < b->m->ngc_rows && rc == 0; r++)
		rc = gc_row_bars(b, r, &cap);
	return rc;
}

/* The sampled curve's value at `t` (epoch seconds), between the samples around it. */
static double curve_at(const mp_profile *pr, double t)
{
	size_t j = lower(pr->mem, pr->nmem, t);
	if (j == 0)
		return pr->mem[0].mem;
	if (j >= pr->nmem)
		return pr->mem[pr->nmem - 1].mem;
	const mp_point *a = &pr->mem[j - 1], *c = &pr->mem[j];
	return c->t > a->t ? a->mem + (c->mem - a->mem) * (t - a->t) / (c->t - a->t) : c->mem;
}

/* Brackets at the call's own memory, measured at its entry and exit (exact, where the curve is
 * only sampled; memory_profiler draws them there too, and merges those points into its curve):
 * '[' at entry, ']' at exit, in the function's colour. A value the line lacks falls back to
 * the curve. */
static int brackets(builder *b)
{
	mp_plot_model *m = b->m;
	const mp_profile *pr = b->profs[0];
	if (!pr->ncalls)
		return 0;
	m->brackets = malloc(pr->ncalls * sizeof *m->brackets);
	if (!m->brackets)
		return -ENOMEM;
	for (size_t i = 0; i < pr->ncalls; i++) {
		const mp_call *c = &pr->calls[i];
		mp_plot_bracket *k = &m->brackets[m->nbrackets++];
		memset(k, 0, sizeof *k);
		k->color = m->fn_colors[c->fn];
		double t0 = rel(pr, c->t0), t1 = rel(pr, c->t1);
		if ((k->has_open = in_window(m, t0)))
			k->open = (mp_plot_xy){px(m, t0), py(m, isfinite(c->m0) ? c->m0 : curve_at(pr, c->t0))};
		if ((k->has_close = in_window(m, t1)))
			k->close = (mp_plot_xy){px(m, t1), py(m, isfinite(c->m1) ? c->m1 : curve_at(pr, c->t1))};
	}
	return 0;
}

/* Calls as rectangles in the lane, level 0 at the bottom, named inside when the name (or its
 * last dotted part) fits. */
static int lane(builder *b)
{
	mp_plot_model *m = b->m;
	const mp_profile *pr = b->profs[0];
	double s = m->scale;
	size_t cap = 0;
	double last_x1[MP_PLOT_LANE_MAX];
	for (int l = 0; l < MP_PLOT_LANE_MAX; l++)
		last_x1[l] = -1e30;
	for (size_t i = 0; i < pr->ncalls; i++) {
		const mp_call *c = &pr->calls[i];
		int level = c->level < 0 ? 0 : c->level;
		if (level >= m->lane_levels)
			continue;
		double a = px(m, rel(pr, c->t0)), e = px(m, rel(pr, c->t1));
		if (e < m->x0 || a > m->x1)
			continue;
		if (e - a < 1.0 / s)
			e = a + 1.0 / s;
		/* Thousands of calls in one column: one rectangle is enough. */
		if (e <= last_x1[level] + 0.25 / s && e - a < 1.0 / s)
			continue;
		last_x1[level] = e;
		if (grow(&m->lane, &cap, m->nlane + 1, sizeof *m->lane) < 0)
			return -ENOMEM;
		mp_plot_lane_box *box = &m->lane[m->nlane++];
		double y = m->lane_y1 - (level + 1) * MP_PLOT_LANE_ROW;
		box->color = m->fn_colors[c->fn];
		/* A pixel of gap at the end, so that back-to-back calls stay apart. */
		double gap = e - a > 3.0 / s ? 1.0 / s : 0;
		box->box = (mp_plot_rect){a, y + 1, e - a - gap, MP_PLOT_LANE_ROW - 2};
		double aa = a < m->x0 ? m->x0 : a, bb = e > m->x1 ? m->x1 : e;
		const char *name = pr->fnames[c->fn];
		box->label = NULL;
		if (width(b, name, MP_PLOT_SMALL_SIZE, 0) + 6 > bb - aa) {
			const char *dot = strrchr(name, '.'); /* the short name, if that fits */
			if (!dot || !dot[1] || width(b, dot + 1, MP_PLOT_SMALL_SIZE, 0) + 6 > bb - aa)
				continue;
			name = dot + 1;
		}
		box->label = name;
		box->at = (mp_plot_xy){aa + 3, y + MP_PLOT_LANE_ROW - 5};
	}
	return 0;
}

/* Marks as vertical lines, labelled at one of three heights in turn. */
static int marks(builder *b)
{
	mp_plot_model *m = b->m;
	const mp_profile *pr = b->profs[0];
	if (!pr->nmarks)
		return 0;
	m->marks = malloc(pr->nmarks * sizeof *m->marks);
	if (!m->marks)
		return -ENOMEM;
	for (size_t i = 0; i < pr->nmarks; i++) {
		double t = rel(pr, pr->marks[i].t);
		if (!in_window(m, t))
			continue;
		mp_plot_mark *k = &m->marks[m->nmarks++];
		k->x = px(m, t);
		k->name = pr->marks[i].name;
		double w = width(b, k->name, MP_PLOT_SMALL_SIZE, 0);
		k->at.x = k->x + 3 + w > m->x1 ? k->x - 3 - w : k->x + 3;
		k->at.y = m->y0 + 12 + 13 * (double)(i % 3);
	}
	return 0;
}

static void title(builder *b)
{
	mp_plot_model *m = b->m;
	if (!m->has_title)
		return;
	fit_text(b, m->title, m->width - 40, MP_PLOT_TITLE_SIZE, 1);
	m->title_at.x = m->width / 2 - width(b, m->title, MP_PLOT_TITLE_SIZE, 1) / 2;
	m->title_at.y = 26;
}

/* The legend right of the plot, as many rows as fit beside it. When some do not, functions
 * give way first, then children, the last function shown saying "and N more functions"
 * (or "... entries"): GC entries, the profiles, the band and the exit are always shown. */
static void legend(builder *b)
{
	mp_plot_model *m = b->m;
	if (!m->nkeys)
		return;
	double x = m->legend.x, w = m->width - x - 6;
	double room = (m->y1 - m->y0 - 10) / LEGEND_ROW;
	size_t fit = room >= 1 ? (size_t)room : 1;
	size_t nfunc = 0, nchild = 0;
	for (size_t i = 0; i < m->nkeys; i++) {
		nfunc += m->keys[i].role == MP_ROLE_FUNC;
		nchild += m->keys[i].role == MP_ROLE_CHILD;
	}
	size_t fixed = m->nkeys - nfunc - nchild;
	/* Rows for children and functions, one of them saying how many were left out. */
	size_t show_child = nchild, show_func = nfunc;
	mp_plot_key_role folded = MP_ROLE_FUNC;
	if (m->nkeys > fit && nfunc + nchild > 0) {
		size_t left = fit > fixed ? fit - fixed : 0;
		if (nfunc && (nchild + 1 <= left || !nchild)) {
			/* The last function shown is "and N more". */
			show_func = left > nchild ? left - nchild : 1;
			m->more = nfunc - show_func + 1;
		} else {
			show_func = 0;
			folded = MP_ROLE_CHILD;
			show_child = left > 0 ? left : 1;
			m->more = nchild - show_child + 1 + nfunc;
		}
	}
	size_t seen_func = 0, seen_child = 0, row = 0;
	for (size_t i = 0; i < m->nkeys; i++) {
		mp_plot_key *k = &m->keys[i];
		int last_folded = 0;
		if (k->role == MP_ROLE_FUNC) {
			if (++seen_func > show_func)
				continue;
			last_folded = m->more && folded == MP_ROLE_FUNC && seen_func == show_func;
		} else if (k->role == MP_ROLE_CHILD) {
			if (++seen_child > show_child)
				continue;
			last_folded = m->more && folded == MP_ROLE_CHILD && seen_child == show_child;
		}
		k->shown = 1;
		k->y = m->y0 + 4 + LEGEND_ROW * (double)row + LEGEND_ROW / 2;
		row++;
		memcpy(k->label, k->text, sizeof k->label);
		if (last_folded) {
			k->kind = MP_KEY_TEXT;
			snprintf(k->label, sizeof k->label, "and %zu more %s", m->more,
				 folded == MP_ROLE_FUNC ? "functions" : "entries");
		}
		if (k->role == MP_ROLE_CURVE && b->n > 1)
			fit_text_head(b, k->label, w - 36, MP_PLOT_SMALL_SIZE, 0);
		else
			fit_text(b, k->label, w - 36, MP_PLOT_SMALL_SIZE, 0);
	}
	m->shown = row;
	m->legend = (mp_plot_rect){x, m->y0, w, (double)row * LEGEND_ROW + 8};
	m->legend_text_x = x + 32;
}

/* --- the model --------------------------------------------------------------------------- */

int mp_plot_check(const mp_profile *const *profiles, size_t n, const mp_plot_opts *opts)
{
	size_t samples = 0;
	for (size_t i = 0; i < n; i++)
		samples += profiles[i]->nmem;
	if (!samples)
		return MP_ENOSAMPLES;
	int w = opts->width > 0 ? opts->width : MP_PLOT_WIDTH;
	int h = opts->height > 0 ? opts->height : MP_PLOT_HEIGHT;
	if (w < 200 || h < 150 || w > 20000 || h > 20000)
		return MP_EBADSIZE;
	return 0;
}

int mp_plot_model_init(mp_plot_model *m, const mp_profile *const *profiles,
		       const char *const *names, size_t n, const mp_plot_opts *opts, double scale,
		       mp_plot_measure measure, void *ctx)
{
	int rc;
	memset(m, 0, sizeof *m);
	if ((rc = mp_plot_check(profiles, n, opts)) < 0)
		return rc;
	builder b = {.m = m, .profs = profiles, .names = names, .n = n, .o = opts,
		     .measure = measure ? measure : estimate, .ctx = ctx};
	m->width = opts->width > 0 ? opts->width : MP_PLOT_WIDTH;
	m->height = opts->height > 0 ? opts->height : MP_PLOT_HEIGHT;
	m->scale = scale > 0 ? scale : 1;
	m->single = n == 1;
	const char *t = opts->title ? opts->title : n == 1 ? profiles[0]->cmdline : NULL;
	if (t && *t) {
		m->has_title = 1;
		snprintf(m->title, sizeof m->title, "%s", t);
		for (char *s = m->title; *s; s++)
			if (*s == '\n' || *s == '\t')
				*s = ' ';
	}
	m->files = calloc(n, sizeof *m->files);
	if (!m->files) {
		rc = -ENOMEM;
		goto fail;
	}
	m->nfiles = n;
	for (size_t f = 0; f < n; f++)
		m->files[f].color = file_colors[f % NCOLORS(file_colors)];
	/* A GC row for each profile with collections (an overlay's first MP_PLOT_GC_ROWS). */
	for (size_t f = 0; f < n && m->ngc_rows < MP_PLOT_GC_ROWS; f++)
		if (profiles[f]->ngcs > 0)
			m->gc_rows[m->ngc_rows++] = (mp_plot_gc_row){.file = f, .color = m->files[f].color};
	if ((rc = build_keys(&b)) < 0)
		goto fail;
	layout(&b);
	time_range(&b);
	memory_range(&b);
	b.buf = malloc((4 * (size_t)m->columns + 2) * sizeof *b.buf);
	if (!b.buf) {
		rc = -ENOMEM;
		goto fail;
	}
	axes(&b);
	if ((rc = files(&b)) < 0)
		goto fail;
	if (m->ngc_rows && (rc = gc_bars(&b)) < 0)
		goto fail;
	if (m->single) {
		if ((rc = gc_spans(&b)) < 0 || (rc = marks(&b)) < 0)
			goto fail;
		if (!opts->no_functions)
			m->functions = opts->flame ? MP_FUNCS_LANE : MP_FUNCS_BRACKETS;
		if (m->functions == MP_FUNCS_BRACKETS && (rc = brackets(&b)) < 0)
			goto fail;
		if (m->lane_levels && (rc = lane(&b)) < 0)
			goto fail;
	}
	title(&b);
	legend(&b);
	free(b.buf);
	return 0;
fail:
	free(b.buf);
	mp_plot_model_release(m);
	return rc;
}

static void curve_release(mp_plot_curve *c)
{
	free(c->pts);
	free(c->bars);
	free(c->dots);
}

void mp_plot_model_release(mp_plot_model *m)
{
	for (size_t f = 0; f < m->nfiles; f++) {
		mp_plot_file *fi = &m->files[f];
		curve_release(&fi->curve);
		for (size_t c = 0; c < fi->nchildren; c++)
			curve_release(&fi->children[c]);
		free(fi->children);
		free(fi->bands);
	}
	free(m->files);
	free(m->gcs);
	free(m->gc_bars);
	free(m->fn_colors);
	free(m->brackets);
	free(m->marks);
	free(m->lane);
	free(m->keys);
	memset(m, 0, sizeof *m);
}
