/* plot.c - draw profiles with cairo: the only file of gclab that includes cairo.
 *
 * One pass lays the picture out (title, plot area, flame lane, legend, axes' ranges), then
 * draws back to front: GC spans, grid, true-peak bands, child curves, main curves, brackets or
 * the flame lane, markers, the peak marker, axes, legend. Every curve goes through
 * mp_plot_decimate first, so its cost follows the image's width, not the number of samples.
 * The image is written to a temporary file beside the output and renamed over it only when
 * complete.
 *
 * Units: the drawing is in CSS pixels (1/96 inch); a PNG at another --dpi is scaled.
 */
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "plot.h"
#include "png.h"

#define FONT "DejaVu Sans"
#define FONT_SIZE 12.0
#define SMALL_SIZE 10.5
#define LANE_ROW 17.0  /* flame lane: height of one level */
#define LANE_MAX 12    /* levels drawn; deeper calls are left out */
#define MARKER_GAP 5.0
#define MAX_TICKS 100
#define LIMIT 1e12 /* seconds or MiB beyond which the axes are clamped: no real profile */ /* markers on samples at least this far (px) from both neighbours */

typedef struct rgb {
	double r, g, b;
} rgb;

#define RGB(x) {((x) >> 16 & 0xff) / 255.0, ((x) >> 8 & 0xff) / 255.0, ((x)&0xff) / 255.0}

static const rgb file_colors[] = {RGB(0x1f77b4), RGB(0x222222), RGB(0xe6550d), RGB(0x756bb1),
				  RGB(0x31a354), RGB(0x8c6d31)};
static const rgb child_colors[] = {RGB(0x17becf), RGB(0xbcbd22), RGB(0xe377c2), RGB(0x8c564b),
				   RGB(0x9edae5), RGB(0x7f7f7f)};
static const rgb func_colors[] = {RGB(0x2ca02c), RGB(0x9467bd), RGB(0xff7f0e), RGB(0x8c564b),
				  RGB(0xe377c2), RGB(0x17becf), RGB(0xbcbd22), RGB(0x7f7f7f)};
static const rgb gc_colors[] = {RGB(0xc7e9c0), RGB(0xfee391), RGB(0xf4a582)}; /* gen 0, 1, 2+ */
static const rgb peak_color = RGB(0xd62728);
static const rgb grid_color = RGB(0xe4e4e4);
static const rgb axis_color = RGB(0x444444);
static const rgb text_color = RGB(0x222222);
static const rgb mark_color = RGB(0x555555);

#define NCOLORS(a) (sizeof(a) / sizeof(a)[0])

/* A legend entry. */
typedef enum { KEY_LINE, KEY_BOX, KEY_BAND, KEY_TEXT } key_kind;
typedef struct key {
	key_kind kind;
	rgb color;
	char text[160];
} key;

typedef struct plot {
	cairo_t *cr;
	const mp_profile *const *profs;
	const char *const *names;
	size_t n;
	const mp_plot_opts *o;
	double W, H;       /* CSS pixels */
	double scale;      /* device pixels per CSS pixel */
	double x0, y0, x1, y1;
	double tmin, tmax, mmin, mmax;
	double lane_y0, lane_y1;
	int lane_levels;
	double legend_x;
	key *keys;
	size_t nkeys, cap_keys;
	mp_point *buf; /* decimation output */
	size_t cap_buf;
	int single;    /* one file: brackets, GC, markers and flame are drawn */
	const char *cairo_err; /* why cairo stopped drawing, if it did */
	const char *title;
} plot;

/* fontconfig, which cairo loads to find fonts, keeps allocations for the life of the process
 * that LeakSanitizer reports at exit (ASan builds, tests, fuzzing). They are not ours, and
 * not growing: told to LeakSanitizer here, which calls this if it exists. */
const char *__lsan_default_suppressions(void) __attribute__((visibility("default"), used));
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig\n";
}

/* --- small helpers ----------------------------------------------------------------------- */

static void color(cairo_t *cr, rgb c)
{
	cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

static void color_a(cairo_t *cr, rgb c, double a)
{
	cairo_set_source_rgba(cr, c.r, c.g, c.b, a);
}

static double px(const plot *p, double t)
{
	return p->x0 + (t - p->tmin) / (p->tmax - p->tmin) * (p->x1 - p->x0);
}

static double py(const plot *p, double m)
{
	return p->y1 - (m - p->mmin) / (p->mmax - p->mmin) * (p->y1 - p->y0);
}

/* The length of the valid UTF-8 sequence at `s` (`n` bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned cp, min;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, min = 0x80, cp = s[0] & 0x1fu;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, min = 0x800, cp = s[0] & 0x0fu;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, min = 0x10000, cp = s[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	return cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0 : len;
}

/* Text as cairo can take it: valid UTF-8 (cairo refuses anything else, and then draws
 * nothing more), control characters as spaces; names from a profile can hold any byte. */
static const char *drawable(const char *s, char *buf, size_t cap)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), o = 0;
	for (size_t i = 0; i < n && o + 5 < cap;) {
		size_t len = utf8_len(u + i, n - i);
		if (!len) {
			buf[o++] = '?';
			i++;
		} else if (len == 1) {
			buf[o++] = u[i] < 0x20 || u[i] == 0x7f ? ' ' : (char)u[i];
			i++;
		} else {
			memcpy(buf + o, s + i, len);
			o += len;
			i += len;
		}
	}
	buf[o] = 0;
	return buf;
}

static double text_width(cairo_t *cr, const char *s)
{
	char buf[600];
	cairo_text_extents_t e;
	cairo_text_extents(cr, drawable(s, buf, sizeof buf), &e);
	return e.x_advance;
}

static void font(cairo_t *cr, double size, int bold)
{
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

/* Shortens `s` in place from the left ("...tail") until it fits `w` pixels. */
static void fit_text(cairo_t *cr, char *s, double w)
{
	size_t len = strlen(s);
	if (text_width(cr, s) <= w)
		return;
	char tmp[512];
	for (size_t cut = 1; cut + 4 < len && cut < len; cut++) {
		snprintf(tmp, sizeof tmp, "...%s", s + cut);
		if (text_width(cr, tmp) <= w) {
			memmove(s, tmp, strlen(tmp) + 1);
			return;
		}
	}
}

static void show_text(cairo_t *cr, double x, double y, const char *s)
{
	char buf[600];
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, drawable(s, buf, sizeof buf));
}

/* Seconds since the profile's start. */
static double rel(const mp_profile *pr, double t)
{
	return t - pr->t_first;
}

static int add_key(plot *p, key_kind kind, rgb c, const char *text)
{
	if (p->nkeys == p->cap_keys) {
		size_t ncap = p->cap_keys ? p->cap_keys * 2 : 16;
		key *k = realloc(p->keys, ncap * sizeof *k);
		if (!k)
			return -ENOMEM;
		p->keys = k;
		p->cap_keys = ncap;
	}
	key *k = &p->keys[p->nkeys++];
	k->kind = kind;
	k->color = c;
	snprintf(k->text, sizeof k->text, "%s", text);
	return 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s && s[1] ? s + 1 : path;
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
 * precision of `lo` cannot loop forever (the callers also stop at MAX_TICKS). */
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

/* --- layout ------------------------------------------------------------------------------ */

static void widen(double *lo, double *hi, double v)
{
	if (v < *lo)
		*lo = v;
	if (v > *hi)
		*hi = v;
}

static int in_window(const plot *p, double t)
{
	return t >= p->tmin && t <= p->tmax;
}

/* The memory range of what is drawn inside the time window. */
static void memory_range(plot *p)
{
	double lo = 0, hi = 0;
	for (size_t f = 0; f < p->n; f++) {
		const mp_profile *pr = p->profs[f];
		for (size_t i = 0; i < pr->nmem; i++)
			if (in_window(p, rel(pr, pr->mem[i].t)))
				widen(&lo, &hi, pr->mem[i].mem);
		for (size_t i = 0; i < pr->npeaks; i++)
			if (in_window(p, rel(pr, pr->peaks[i].t)))
				widen(&lo, &hi, pr->peaks[i].mem);
		for (size_t c = 0; c < pr->nchildren; c++)
			for (size_t i = 0; i < pr->children[c].n; i++)
				if (in_window(p, rel(pr, pr->children[c].pts[i].t)))
					widen(&lo, &hi, pr->children[c].pts[i].mem);
		if (p->single && !p->o->no_functions && !p->o->flame)
			for (size_t i = 0; i < pr->ncalls; i++) {
				if (in_window(p, rel(pr, pr->calls[i].t0)))
					widen(&lo, &hi, pr->calls[i].m0);
				if (in_window(p, rel(pr, pr->calls[i].t1)))
					widen(&lo, &hi, pr->calls[i].m1);
			}
	}
	lo = lo < -LIMIT ? -LIMIT : lo;
	hi = hi > LIMIT ? LIMIT : hi;
	if (!(hi > lo))
		hi = lo + 1;
	double step = nice_step(hi - lo, 6);
	p->mmin = lo < 0 ? floor(lo / step) * step : 0;
	/* Head room for the peak's label. */
	p->mmax = ceil((hi + (hi - p->mmin) * 0.08) / step) * step;
}

static void time_range(plot *p)
{
	double span = 0;
	for (size_t f = 0; f < p->n; f++)
		if (p->profs[f]->t_last - p->profs[f]->t_first > span)
			span = p->profs[f]->t_last - p->profs[f]->t_first;
	if (!(span < LIMIT))
		span = LIMIT;
	p->tmin = p->o->has_tmin ? p->o->tmin : 0;
	p->tmax = p->o->has_tmax ? p->o->tmax : span;
	if (!(fabs(p->tmin) < LIMIT) || !(fabs(p->tmax) < LIMIT))
		p->tmin = 0, p->tmax = span;
	/* Nothing to span (one sample, or an open window starting after the end): one second. */
	if (!(p->tmax > p->tmin))
		p->tmax = p->tmin + 1;
	/* A window narrower than the precision of its ends: widen it to something drawable. */
	if (p->tmax - p->tmin < fabs(p->tmin) * 1e-9)
		p->tmax = p->tmin + fabs(p->tmin) * 1e-9;
}

static int lane_levels(const plot *p)
{
	if (!p->single || !p->o->flame || p->o->no_functions)
		return 0;
	int levels = 0;
	const mp_profile *pr = p->profs[0];
	for (size_t i = 0; i < pr->ncalls; i++) {
		int l = pr->calls[i].level < 0 ? 0 : pr->calls[i].level;
		if (l + 1 > levels)
			levels = l + 1;
	}
	return levels > LANE_MAX ? LANE_MAX : levels;
}

/* The legend's entries: curves, children, peak band, functions, GC generations. */
static int build_keys(plot *p)
{
	char text[200];
	int rc = 0;
	for (size_t f = 0; f < p->n && rc == 0; f++) {
		const mp_profile *pr = p->profs[f];
		if (p->n > 1 || !pr->cmdline)
			snprintf(text, sizeof text, "%s", base_name(p->names[f]));
		else
			snprintf(text, sizeof text, "memory (%zu samples)", pr->nmem);
		if (p->o->slope && pr->nmem > 1) {
			double sx = 0, sy = 0, sxx = 0, sxy = 0, k = (double)pr->nmem;
			for (size_t i = 0; i < pr->nmem; i++) {
				double x = rel(pr, pr->mem[i].t), y = pr->mem[i].mem;
				sx += x, sy += y, sxx += x * x, sxy += x * y;
			}
			double d = k * sxx - sx * sx;
			size_t len = strlen(text);
			snprintf(text + len, sizeof text - len, " slope %.5f MiB/s",
				 d != 0 ? (k * sxy - sx * sy) / d : 0.0);
		}
		rc = add_key(p, KEY_LINE, file_colors[f % NCOLORS(file_colors)], text);
		for (size_t c = 0; c < pr->nchildren && rc == 0; c++) {
			snprintf(text, sizeof text, "child %ld", pr->children[c].pid);
			rc = add_key(p, KEY_LINE, child_colors[c % NCOLORS(child_colors)], text);
		}
	}
	int bands = 0;
	for (size_t f = 0; f < p->n; f++)
		bands |= p->profs[f]->npeaks > 0;
	if (bands && rc == 0)
		rc = add_key(p, KEY_BAND, file_colors[0], "true peak between samples");
	if (!p->single)
		return rc;
	const mp_profile *pr = p->profs[0];
	if (!p->o->no_functions) {
		for (size_t fn = 0; fn < pr->nfnames && rc == 0; fn++) {
			size_t calls = 0;
			double total = 0;
			for (size_t i = 0; i < pr->ncalls; i++)
				if (pr->calls[i].fn == fn) {
					calls++;
					total += pr->calls[i].t1 - pr->calls[i].t0;
				}
			snprintf(text, sizeof text, "%.120s: %zu call%s, %.3f s", pr->fnames[fn], calls,
				 calls == 1 ? "" : "s", total);
			rc = add_key(p, p->o->flame ? KEY_BOX : KEY_LINE,
				     func_colors[fn % NCOLORS(func_colors)], text);
		}
	}
	for (int gen = 0; gen < 3 && rc == 0; gen++) {
		size_t runs = 0;
		double total = 0;
		for (size_t i = 0; i < pr->ngcs; i++)
			if ((pr->gcs[i].gen < 2 ? pr->gcs[i].gen : 2) == gen) {
				runs++;
				total += pr->gcs[i].t1 - pr->gcs[i].t0;
			}
		if (!runs)
			continue;
		snprintf(text, sizeof text, "GC gen %d%s: %zu run%s, %.1f ms", gen, gen == 2 ? "+" : "",
			 runs, runs == 1 ? "" : "s", total * 1e3);
		rc = add_key(p, KEY_BOX, gc_colors[gen], text);
	}
	if (pr->has_exit && rc == 0) {
		int st = pr->exit_status;
		if (st > 128 && st < 128 + 65)
			snprintf(text, sizeof text, "killed by signal %d at %.2f s", st - 128,
				 rel(pr, pr->exit_t));
		else
			snprintf(text, sizeof text, "exited with status %d at %.2f s", st,
				 rel(pr, pr->exit_t));
		rc = add_key(p, KEY_TEXT, text_color, text);
	}
	return rc;
}

static void layout(plot *p)
{
	cairo_t *cr = p->cr;
	double top = 14, bottom = 46, left = 64;
	if (p->title && *p->title)
		top = 40;
	font(cr, SMALL_SIZE, 0);
	double legend_w = 0;
	for (size_t i = 0; i < p->nkeys; i++) {
		double w = text_width(cr, p->keys[i].text);
		if (w > legend_w)
			legend_w = w;
	}
	legend_w += 40;
	if (legend_w > p->W * 0.34)
		legend_w = p->W * 0.34;
	p->lane_levels = lane_levels(p);
	/* The lane takes at most 40% of the height: deeper levels are left out. */
	int room = (int)((p->H - top - bottom) * 0.4 / LANE_ROW);
	if (p->lane_levels > room)
		p->lane_levels = room > 0 ? room : 0;
	double lane = p->lane_levels ? p->lane_levels * LANE_ROW + 8 : 0;
	p->x0 = left;
	p->x1 = p->W - legend_w - 16;
	p->y0 = top;
	p->y1 = p->H - bottom - lane;
	p->lane_y0 = p->y1 + 6;
	p->lane_y1 = p->lane_y0 + p->lane_levels * LANE_ROW;
	p->legend_x = p->x1 + 12;
}

/* --- drawing ----------------------------------------------------------------------------- */

static void draw_gc(plot *p)
{
	const mp_profile *pr = p->profs[0];
	cairo_t *cr = p->cr;
	double min_w = 1.0 / p->scale;
	for (size_t i = 0; i < pr->ngcs; i++) {
		const mp_gc *g = &pr->gcs[i];
		double a = px(p, rel(pr, g->t0)), b = px(p, rel(pr, g->t1));
		if (b - a < min_w)
			b = a + min_w; /* as wide as it lasted, but never invisible */
		color(cr, gc_colors[g->gen < 2 ? g->gen : 2]);
		cairo_rectangle(cr, a, p->y0, b - a, p->y1 - p->y0);
		cairo_fill(cr);
	}
}

static void draw_grid(plot *p)
{
	cairo_t *cr = p->cr;
	cairo_set_line_width(cr, 1.0 / p->scale);
	color(cr, grid_color);
	double ts = nice_step(p->tmax - p->tmin, (p->x1 - p->x0) / 90);
	for (int k = 0; k < MAX_TICKS; k++) {
		double t = tick(p->tmin, ts, k);
		if (!(t <= p->tmax + ts * 1e-9))
			break;
		double x = floor(px(p, t) * p->scale) / p->scale + 0.5 / p->scale;
		cairo_move_to(cr, x, p->y0);
		cairo_line_to(cr, x, p->y1);
	}
	double ms = nice_step(p->mmax - p->mmin, (p->y1 - p->y0) / 60);
	for (int k = 0; k < MAX_TICKS; k++) {
		double m = tick(p->mmin, ms, k);
		if (!(m <= p->mmax + ms * 1e-9))
			break;
		double y = floor(py(p, m) * p->scale) / p->scale + 0.5 / p->scale;
		cairo_move_to(cr, p->x0, y);
		cairo_line_to(cr, p->x1, y);
	}
	cairo_stroke(cr);
}

static int ensure_buf(plot *p, size_t n)
{
	if (n <= p->cap_buf)
		return 0;
	mp_point *b = realloc(p->buf, n * sizeof *b);
	if (!b)
		return -ENOMEM;
	p->buf = b;
	p->cap_buf = n;
	return 0;
}

static int columns(const plot *p)
{
	int c = (int)((p->x1 - p->x0) * p->scale);
	return c < 1 ? 1 : c;
}

/* A dense curve (more points than columns, in p->buf) as one bar per device pixel column,
 * from its lowest to its highest point, taking in the line from the previous column's last
 * point: the pixels a stroke of the polyline would cover, at a fraction of the cost (a stroke
 * zigzagging up and down every column makes cairo rasterize each column many times). */
static void draw_columns(plot *p, const mp_profile *pr, size_t k, int cols, double width)
{
	cairo_t *cr = p->cr;
	double half = width / 2, dx = 1.0 / p->scale;
	double x0d = p->x0 * p->scale;
	long col = LONG_MIN;
	double lo = 0, hi = 0, prev = NAN;
	cairo_save(cr);
	cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
	for (size_t i = 0; i <= k; i++) {
		long c = LONG_MAX;
		double y = 0;
		if (i < k) {
			double xd = px(p, rel(pr, p->buf[i].t)) * p->scale;
			c = (long)floor(xd - x0d);
			if (c < -1)
				c = -1;
			if (c > cols)
				c = cols;
			y = py(p, p->buf[i].mem);
		}
		if (c != col) {
			if (col != LONG_MIN)
				cairo_rectangle(cr, (x0d + (double)col) / p->scale, lo - half, dx,
						hi - lo + 2 * half);
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
	cairo_fill(cr);
	cairo_restore(cr);
}

/* A curve of `pts` (epoch times of profile `pr`), decimated to the plot's columns. */
static int draw_curve(plot *p, const mp_profile *pr, const mp_point *pts, size_t n, rgb c,
		      double width, int markers)
{
	cairo_t *cr = p->cr;
	int cols = columns(p);
	if (ensure_buf(p, 4 * (size_t)cols + 2) < 0)
		return -ENOMEM;
	size_t k = mp_plot_decimate(pts, n, p->tmin + pr->t_first, p->tmax + pr->t_first, cols,
				    p->buf);
	if (!k)
		return 0;
	color(cr, c);
	if (k > 3 * (size_t)cols) { /* several points a column: bars look the same */
		draw_columns(p, pr, k, cols, width);
		return 0;
	}
	cairo_set_line_width(cr, width);
	/* Round joins look best on a sparse curve; on a denser one they cost and show nothing. */
	cairo_set_line_join(cr, k < (size_t)cols ? CAIRO_LINE_JOIN_ROUND : CAIRO_LINE_JOIN_BEVEL);
	for (size_t i = 0; i < k; i++)
		cairo_line_to(cr, px(p, rel(pr, p->buf[i].t)), py(p, p->buf[i].mem));
	if (k == 1) { /* a single sample: a dot */
		cairo_new_path(cr);
		cairo_arc(cr, px(p, rel(pr, p->buf[0].t)), py(p, p->buf[0].mem), 2.5, 0, 2 * M_PI);
		cairo_fill(cr);
	}
	cairo_stroke(cr);
	if (!markers)
		return 0;
	/* Markers only where samples are sparse: far from both neighbours. */
	for (size_t i = 0; i < k; i++) {
		double x = px(p, rel(pr, p->buf[i].t));
		if (i > 0 && x - px(p, rel(pr, p->buf[i - 1].t)) < MARKER_GAP)
			continue;
		if (i + 1 < k && px(p, rel(pr, p->buf[i + 1].t)) - x < MARKER_GAP)
			continue;
		cairo_arc(cr, x, py(p, p->buf[i].mem), 2.2, 0, 2 * M_PI);
		cairo_fill(cr);
	}
	return 0;
}

/* The PEAK lines as bands above the sampled curve: each fills the interval it covers, from
 * the line between its two samples up to its value. */
static void draw_bands(plot *p, const mp_profile *pr, rgb c)
{
	cairo_t *cr = p->cr;
	double lo = p->tmin + pr->t_first, hi = p->tmax + pr->t_first;
	double last_x = -1e30;
	color_a(cr, c, 0.28);
	for (size_t i = 0; i < pr->npeaks; i++) {
		const mp_point *pk = &pr->peaks[i];
		size_t j = upper(pr->mem, pr->nmem, pk->t); /* samples at or before: [0, j) */
		if (!j)
			continue;
		const mp_point *b = &pr->mem[j - 1];
		const mp_point *a = j >= 2 ? &pr->mem[j - 2] : b;
		if (b->t < pk->t) /* the last, partial interval: after the last sample */
			a = b;
		double t0 = a->t, t1 = pk->t;
		if (t1 < lo || t0 > hi)
			continue;
		double ma = a->mem, mb = b->t < pk->t ? a->mem : b->mem;
		if (pk->mem <= ma && pk->mem <= mb)
			continue;
		double x0 = px(p, rel(pr, t0)), x1 = px(p, rel(pr, t1));
		/* Many bands in one pixel column: the first (and highest) is enough. */
		if (x1 - last_x < 0.5 / p->scale && x1 >= last_x)
			continue;
		last_x = x1;
		if (x1 - x0 < 1.0 / p->scale)
			x0 = x1 - 1.0 / p->scale;
		cairo_move_to(cr, x0, py(p, ma));
		cairo_line_to(cr, x0, py(p, pk->mem));
		cairo_line_to(cr, x1, py(p, pk->mem));
		cairo_line_to(cr, x1, py(p, mb));
		cairo_close_path(cr);
	}
	cairo_fill(cr);
}

static void draw_brackets(plot *p)
{
	const mp_profile *pr = p->profs[0];
	cairo_t *cr = p->cr;
	const double h = 6, v = 9;
	cairo_set_line_width(cr, 2);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
	for (size_t i = 0; i < pr->ncalls; i++) {
		const mp_call *c = &pr->calls[i];
		color(cr, func_colors[c->fn % NCOLORS(func_colors)]);
		double t0 = rel(pr, c->t0), t1 = rel(pr, c->t1);
		if (in_window(p, t0)) {
			double x = px(p, t0), y = py(p, c->m0);
			cairo_move_to(cr, x + h, y - v);
			cairo_line_to(cr, x, y - v);
			cairo_line_to(cr, x, y + v);
			cairo_line_to(cr, x + h, y + v);
		}
		if (in_window(p, t1)) {
			double x = px(p, t1), y = py(p, c->m1);
			cairo_move_to(cr, x - h, y - v);
			cairo_line_to(cr, x, y - v);
			cairo_line_to(cr, x, y + v);
			cairo_line_to(cr, x - h, y + v);
		}
		cairo_stroke(cr);
	}
}

static void draw_lane(plot *p)
{
	const mp_profile *pr = p->profs[0];
	cairo_t *cr = p->cr;
	font(cr, SMALL_SIZE, 0);
	color(cr, (rgb)RGB(0xf6f6f6));
	cairo_rectangle(cr, p->x0, p->lane_y0, p->x1 - p->x0, p->lane_y1 - p->lane_y0);
	cairo_fill(cr);
	cairo_save(cr);
	cairo_rectangle(cr, p->x0, p->lane_y0, p->x1 - p->x0, p->lane_y1 - p->lane_y0);
	cairo_clip(cr);
	double last_x1[LANE_MAX];
	for (int l = 0; l < LANE_MAX; l++)
		last_x1[l] = -1e30;
	for (size_t i = 0; i < pr->ncalls; i++) {
		const mp_call *c = &pr->calls[i];
		int level = c->level < 0 ? 0 : c->level;
		if (level >= p->lane_levels)
			continue;
		double a = px(p, rel(pr, c->t0)), b = px(p, rel(pr, c->t1));
		if (b < p->x0 || a > p->x1)
			continue;
		if (b - a < 1.0 / p->scale)
			b = a + 1.0 / p->scale;
		/* Thousands of calls in one column: one rectangle is enough. */
		if (b <= last_x1[level] + 0.25 / p->scale && b - a < 1.0 / p->scale)
			continue;
		last_x1[level] = b;
		/* Level 0 at the bottom, deeper calls stacked above, as a flame graph. */
		double y = p->lane_y1 - (level + 1) * LANE_ROW;
		rgb col = func_colors[c->fn % NCOLORS(func_colors)];
		color_a(cr, col, 0.85);
		/* A pixel of gap at the end, so that back-to-back calls stay apart. */
		double gap = b - a > 3.0 / p->scale ? 1.0 / p->scale : 0;
		cairo_rectangle(cr, a, y + 1, b - a - gap, LANE_ROW - 2);
		cairo_fill(cr);
		double aa = a < p->x0 ? p->x0 : a, bb = b > p->x1 ? p->x1 : b;
		const char *name = pr->fnames[c->fn];
		if (text_width(cr, name) + 6 > bb - aa) {
			const char *dot = strrchr(name, '.'); /* the short name, if that fits */
			if (!dot || !dot[1] || text_width(cr, dot + 1) + 6 > bb - aa)
				continue;
			name = dot + 1;
		}
		color(cr, (rgb)RGB(0x111111));
		show_text(cr, aa + 3, y + LANE_ROW - 5, name);
	}
	cairo_restore(cr);
}

static void draw_marks(plot *p)
{
	const mp_profile *pr = p->profs[0];
	cairo_t *cr = p->cr;
	const double dash[] = {4, 3};
	font(cr, SMALL_SIZE, 0);
	for (size_t i = 0; i < pr->nmarks; i++) {
		double t = rel(pr, pr->marks[i].t);
		if (!in_window(p, t))
			continue;
		double x = px(p, t);
		color(cr, mark_color);
		cairo_set_line_width(cr, 1.2);
		cairo_set_dash(cr, dash, 2, 0);
		cairo_move_to(cr, x, p->y0);
		cairo_line_to(cr, x, p->y1);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
		double w = text_width(cr, pr->marks[i].name);
		double tx = x + 3 + w > p->x1 ? x - 3 - w : x + 3;
		show_text(cr, tx, p->y0 + 12 + 13 * (double)(i % 3), pr->marks[i].name);
	}
}

static void draw_peak(plot *p, const mp_profile *pr, rgb c, int labelled)
{
	double mem, t;
	if (mp_profile_peak(pr, &mem, &t) < 0 || !in_window(p, rel(pr, t)))
		return;
	cairo_t *cr = p->cr;
	double x = px(p, rel(pr, t)), y = py(p, mem);
	const double dash[] = {5, 4};
	color(cr, c);
	if (p->single) { /* with several files, the lines would only clutter */
		cairo_set_line_width(cr, 1);
		cairo_set_dash(cr, dash, 2, 0);
		cairo_move_to(cr, p->x0, y);
		cairo_line_to(cr, p->x1, y);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
	}
	cairo_arc(cr, x, y, 4.5, 0, 2 * M_PI);
	cairo_fill(cr);
	if (!labelled)
		return;
	char text[96];
	snprintf(text, sizeof text, "peak %.1f MiB at %.2f s", mem, rel(pr, t));
	font(cr, SMALL_SIZE, 1);
	double w = text_width(cr, text);
	double tx = x + 8 + w > p->x1 ? x - 8 - w : x + 8;
	if (tx < p->x0 + 2)
		tx = p->x0 + 2;
	double ty = y - 7 < p->y0 + 12 ? y + 16 : y - 7;
	/* A white halo keeps the label readable over the curve. */
	cairo_set_source_rgba(cr, 1, 1, 1, 0.8);
	cairo_rectangle(cr, tx - 2, ty - 11, w + 4, 14);
	cairo_fill(cr);
	color(cr, c);
	show_text(cr, tx, ty, text);
}

static void draw_axes(plot *p)
{
	cairo_t *cr = p->cr;
	char buf[64];
	font(cr, SMALL_SIZE, 0);
	color(cr, axis_color);
	cairo_set_line_width(cr, 1);
	cairo_rectangle(cr, p->x0, p->y0, p->x1 - p->x0, p->y1 - p->y0);
	cairo_stroke(cr);
	double label_y = (p->lane_levels ? p->lane_y1 : p->y1) + 15;
	double ts = nice_step(p->tmax - p->tmin, (p->x1 - p->x0) / 90);
	for (int k = 0; k < MAX_TICKS; k++) {
		double t = tick(p->tmin, ts, k);
		if (!(t <= p->tmax + ts * 1e-9))
			break;
		double x = px(p, t);
		cairo_move_to(cr, x, p->y1);
		cairo_line_to(cr, x, p->y1 + 4);
		cairo_stroke(cr);
		format_tick(buf, sizeof buf, t, ts);
		show_text(cr, x - text_width(cr, buf) / 2, label_y, buf);
	}
	double ms = nice_step(p->mmax - p->mmin, (p->y1 - p->y0) / 60);
	for (int k = 0; k < MAX_TICKS; k++) {
		double m = tick(p->mmin, ms, k);
		if (!(m <= p->mmax + ms * 1e-9))
			break;
		double y = py(p, m);
		cairo_move_to(cr, p->x0 - 4, y);
		cairo_line_to(cr, p->x0, y);
		cairo_stroke(cr);
		format_tick(buf, sizeof buf, m, ms);
		show_text(cr, p->x0 - 7 - text_width(cr, buf), y + 4, buf);
	}
	font(cr, FONT_SIZE, 0);
	const char *xl = "time (s)", *yl = "memory (MiB)";
	show_text(cr, (p->x0 + p->x1) / 2 - text_width(cr, xl) / 2, label_y + 17, xl);
	cairo_save(cr);
	cairo_translate(cr, 16, (p->y0 + p->y1) / 2 + text_width(cr, yl) / 2);
	cairo_rotate(cr, -M_PI / 2);
	show_text(cr, 0, 0, yl);
	cairo_restore(cr);
	if (p->lane_levels) {
		font(cr, SMALL_SIZE, 0);
		cairo_rectangle(cr, p->x0, p->lane_y0, p->x1 - p->x0, p->lane_y1 - p->lane_y0);
		cairo_stroke(cr);
	}
}

static void draw_title(plot *p)
{
	if (!p->title || !*p->title)
		return;
	cairo_t *cr = p->cr;
	char t[512];
	snprintf(t, sizeof t, "%s", p->title);
	for (char *s = t; *s; s++)
		if (*s == '\n' || *s == '\t')
			*s = ' ';
	font(cr, 15, 1);
	fit_text(cr, t, p->W - 40);
	color(cr, text_color);
	show_text(cr, p->W / 2 - text_width(cr, t) / 2, 26, t);
}

static void draw_legend(plot *p)
{
	cairo_t *cr = p->cr;
	if (!p->nkeys)
		return;
	font(cr, SMALL_SIZE, 0);
	double x = p->legend_x, row = 17, w = p->W - x - 6;
	double room = (p->y1 - p->y0 - 10) / row;
	size_t fit = room >= 1 ? (size_t)room : 1;
	size_t n = p->nkeys <= fit ? p->nkeys : fit;
	double h = (double)n * row + 8;
	cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
	cairo_rectangle(cr, x, p->y0, w, h);
	cairo_fill_preserve(cr);
	color(cr, (rgb)RGB(0xcccccc));
	cairo_set_line_width(cr, 1);
	cairo_stroke(cr);
	for (size_t i = 0; i < n; i++) {
		const key *k = &p->keys[i];
		double y = p->y0 + 4 + row * (double)i + row / 2;
		if (k->kind == KEY_LINE) {
			color(cr, k->color);
			cairo_set_line_width(cr, 2);
			cairo_move_to(cr, x + 6, y);
			cairo_line_to(cr, x + 26, y);
			cairo_stroke(cr);
		} else if (k->kind != KEY_TEXT) {
			if (k->kind == KEY_BAND)
				color_a(cr, k->color, 0.28);
			else
				color(cr, k->color);
			cairo_rectangle(cr, x + 8, y - 5, 16, 10);
			cairo_fill(cr);
		}
		char text[sizeof k->text];
		memcpy(text, k->text, sizeof text);
		if (i + 1 == n && n < p->nkeys)
			snprintf(text, sizeof text, "and %zu more", p->nkeys - n + 1);
		fit_text(cr, text, w - 36);
		color(cr, text_color);
		show_text(cr, x + 32, y + 4, text);
	}
}

static int draw(plot *p)
{
	cairo_t *cr = p->cr;
	int rc;
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	if ((rc = build_keys(p)) < 0)
		return rc;
	layout(p);
	time_range(p);
	memory_range(p);

	cairo_save(cr);
	cairo_rectangle(cr, p->x0, p->y0, p->x1 - p->x0, p->y1 - p->y0);
	cairo_clip(cr);
	if (p->single)
		draw_gc(p);
	draw_grid(p);
	for (size_t f = 0; f < p->n; f++)
		draw_bands(p, p->profs[f], file_colors[f % NCOLORS(file_colors)]);
	for (size_t f = 0; f < p->n; f++) {
		const mp_profile *pr = p->profs[f];
		for (size_t c = 0; c < pr->nchildren; c++)
			if ((rc = draw_curve(p, pr, pr->children[c].pts, pr->children[c].n,
					     child_colors[c % NCOLORS(child_colors)], 1.5, 1)) < 0)
				goto out;
	}
	for (size_t f = p->n; f-- > 0;) {
		const mp_profile *pr = p->profs[f];
		rgb c = file_colors[f % NCOLORS(file_colors)];
		if ((rc = draw_curve(p, pr, pr->mem, pr->nmem, c, 1.8, 1)) < 0)
			goto out;
		if (p->o->slope && pr->nmem > 1) {
			double sx = 0, sy = 0, sxx = 0, sxy = 0, k = (double)pr->nmem;
			for (size_t i = 0; i < pr->nmem; i++) {
				double x = rel(pr, pr->mem[i].t), y = pr->mem[i].mem;
				sx += x, sy += y, sxx += x * x, sxy += x * y;
			}
			double d = k * sxx - sx * sx, a = d != 0 ? (k * sxy - sx * sy) / d : 0;
			double b = (sy - a * sx) / k;
			const double dash[] = {6, 4};
			color(cr, c);
			cairo_set_line_width(cr, 1);
			cairo_set_dash(cr, dash, 2, 0);
			cairo_move_to(cr, p->x0, py(p, a * p->tmin + b));
			cairo_line_to(cr, p->x1, py(p, a * p->tmax + b));
			cairo_stroke(cr);
			cairo_set_dash(cr, NULL, 0, 0);
		}
	}
	if (p->single && !p->o->no_functions && !p->o->flame)
		draw_brackets(p);
	if (p->single)
		draw_marks(p);
	for (size_t f = 0; f < p->n; f++)
		draw_peak(p, p->profs[f], p->n == 1 ? peak_color : file_colors[f % NCOLORS(file_colors)],
			  1);
	cairo_restore(cr);

	if (p->lane_levels)
		draw_lane(p);
	draw_axes(p);
	draw_title(p);
	draw_legend(p);
out:
	return rc;
}

/* --- output ------------------------------------------------------------------------------ */

int mp_plot_format_of(const char *path)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	if (!dot || (slash && dot < slash))
		return -1;
	if (!strcasecmp(dot, ".png"))
		return MP_PLOT_PNG;
	if (!strcasecmp(dot, ".svg"))
		return MP_PLOT_SVG;
	if (!strcasecmp(dot, ".pdf"))
		return MP_PLOT_PDF;
	return -1;
}

typedef struct sink {
	FILE *f;
	int err;
} sink;

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int len)
{
	sink *s = closure;
	if (s->err)
		return CAIRO_STATUS_WRITE_ERROR;
	if (fwrite(data, 1, len, s->f) != len) {
		s->err = errno ? errno : EIO;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

static int render(plot *p, mp_plot_format format, FILE *f)
{
	sink s = {f, 0};
	cairo_surface_t *surf;
	int rc = 0;
	p->scale = 1;
	if (format == MP_PLOT_PNG) {
		double dpi = p->o->dpi > 0 ? p->o->dpi : 96;
		p->scale = dpi / 96;
		int w = (int)lround(p->W * p->scale), h = (int)lround(p->H * p->scale);
		surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	} else if (format == MP_PLOT_SVG) {
		surf = cairo_svg_surface_create_for_stream(sink_write, &s, p->W, p->H);
		if (cairo_surface_status(surf) == CAIRO_STATUS_SUCCESS)
			cairo_svg_surface_set_document_unit(surf, CAIRO_SVG_UNIT_PX);
	} else {
		/* PDF is in points: 3/4 of a CSS pixel. */
		p->scale = 1;
		surf = cairo_pdf_surface_create_for_stream(sink_write, &s, p->W * 0.75, p->H * 0.75);
	}
	if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
		p->cairo_err = cairo_status_to_string(cairo_surface_status(surf));
		cairo_surface_destroy(surf);
		return -EPROTO;
	}
	p->cr = cairo_create(surf);
	if (format == MP_PLOT_PDF)
		cairo_scale(p->cr, 0.75, 0.75);
	else if (p->scale != 1)
		cairo_scale(p->cr, p->scale, p->scale);
	rc = draw(p);
	if (rc == 0 && cairo_status(p->cr) != CAIRO_STATUS_SUCCESS) {
		p->cairo_err = cairo_status_to_string(cairo_status(p->cr));
		rc = cairo_status(p->cr) == CAIRO_STATUS_NO_MEMORY ? -ENOMEM : -EPROTO;
	}
	cairo_destroy(p->cr);
	p->cr = NULL;
	if (rc == 0 && format == MP_PLOT_PNG) {
		cairo_surface_flush(surf);
		rc = mp_png_write(f, cairo_image_surface_get_data(surf),
				  cairo_image_surface_get_width(surf),
				  cairo_image_surface_get_height(surf),
				  (size_t)cairo_image_surface_get_stride(surf), p->o->dpi);
	} else {
		cairo_surface_finish(surf);
		if (rc == 0 && (s.err || cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS))
			rc = s.err ? -s.err : -EIO;
	}
	cairo_surface_destroy(surf);
	return rc;
}

int mp_plot_write(const mp_profile *const *profiles, const char *const *names, size_t n,
		  const mp_plot_opts *opts, mp_plot_format format, const char *path,
		  mp_plot_layout *lay, char *err, size_t errlen)
{
	plot p = {.profs = profiles, .names = names, .n = n, .o = opts, .single = n == 1};
	p.title = opts->title ? opts->title : n == 1 ? profiles[0]->cmdline : NULL;
	p.W = opts->width > 0 ? opts->width : MP_PLOT_WIDTH;
	p.H = opts->height > 0 ? opts->height : MP_PLOT_HEIGHT;
	size_t samples = 0;
	for (size_t i = 0; i < n; i++)
		samples += profiles[i]->nmem;
	if (!samples) {
		snprintf(err, errlen, "nothing to plot: no memory samples (MEM lines)");
		return -EINVAL;
	}
	if (p.W < 200 || p.H < 150 || p.W > 20000 || p.H > 20000) {
		snprintf(err, errlen, "image size %gx%g is out of range (200x150 to 20000x20000)",
			 p.W, p.H);
		return -EINVAL;
	}
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(EISDIR));
		return -EISDIR;
	}
	/* Beside the output, so that the final rename stays on one file system. */
	size_t tlen = strlen(path) + 32;
	char *tmp = malloc(tlen);
	if (!tmp) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(tmp, tlen, "%s.tmp%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!f) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(e));
		return -e;
	}
	int rc = render(&p, (mp_plot_format)format, f);
	errno = 0;
	if (fflush(f) != 0 && rc == 0)
		rc = -(errno ? errno : EIO);
	if (fclose(f) != 0 && rc == 0)
		rc = -(errno ? errno : EIO);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		if (p.cairo_err)
			snprintf(err, errlen, "cannot draw '%s': %s", path, p.cairo_err);
		else
			snprintf(err, errlen, "cannot write '%s': %s", path,
				 rc == -ENOMEM ? "out of memory" : strerror(-rc));
	} else if (lay) {
		double s = format == MP_PLOT_PNG ? p.scale : 1;
		lay->x0 = p.x0 * s;
		lay->y0 = p.y0 * s;
		lay->x1 = p.x1 * s;
		lay->y1 = p.y1 * s;
		lay->tmin = p.tmin;
		lay->tmax = p.tmax;
		lay->mmin = p.mmin;
		lay->mmax = p.mmax;
		lay->lane_y0 = p.lane_y0 * s;
		lay->lane_y1 = p.lane_y1 * s;
		lay->lane_levels = p.lane_levels;
		lay->legend_x = p.legend_x * s;
		lay->width = (int)lround(p.W * s);
		lay->height = (int)lround(p.H * s);
	}
	free(tmp);
	free(p.keys);
	free(p.buf);
	return rc;
}
