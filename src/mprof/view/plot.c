/* plot.c - the cairo painter: draws a plot model, writes the file. The only file of gclab
 * that includes cairo.
 *
 * Everything numeric (ranges, ticks, layout, decimated curves, trend lines, legend) is the
 * model's (plot_model.c); the painter measures text for it (cairo's fonts) and then draws it
 * back to front: GC spans, grid, true-peak bands, child curves, main curves with their trend
 * lines, brackets, markers, peak markers, then outside the plot's clip the flame lane, axes,
 * title and legend. What it holds itself is style: line widths, dashes, alphas, the shapes
 * of brackets, dots and legend swatches. The image is written to a temporary file beside the
 * output and renamed over it only when complete.
 *
 * Units: the drawing is in CSS pixels (1/96 inch); a PNG at another --dpi is scaled.
 */
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "html.h"
#include "jsonw.h"
#include "plot.h"
#include "png.h"

#define FONT "DejaVu Sans"

#define GRID_COLOR 0xe4e4e4
#define AXIS_COLOR 0x444444
#define TEXT_COLOR 0x222222
#define MARK_COLOR 0x555555
#define LANE_BACKGROUND 0xf6f6f6
#define LANE_TEXT 0x111111
#define LEGEND_BORDER 0xcccccc

/* --- small helpers ----------------------------------------------------------------------- */

static void color(cairo_t *cr, uint32_t c)
{
	cairo_set_source_rgb(cr, (c >> 16 & 0xff) / 255.0, (c >> 8 & 0xff) / 255.0,
			     (c & 0xff) / 255.0);
}

static void color_a(cairo_t *cr, uint32_t c, double a)
{
	cairo_set_source_rgba(cr, (c >> 16 & 0xff) / 255.0, (c >> 8 & 0xff) / 255.0,
			      (c & 0xff) / 255.0, a);
}

/* Text as cairo can take it: valid UTF-8 (cairo refuses anything else, and then draws
 * nothing more), control characters as spaces; names from a profile can hold any byte. */
static const char *drawable(const char *s, char *buf, size_t cap)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), o = 0;
	for (size_t i = 0; i < n && o + 5 < cap;) {
		size_t len = mp__utf8_len(u + i, n - i);
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

static void font(cairo_t *cr, double size, int bold)
{
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

/* The model's text measure: the advance of `s` as cairo will draw it, in the current user
 * space (hinted metrics depend on the device scale, so this is the surface's own context).
 * The font is selected only when it changes: the lane asks once per call drawn. */
typedef struct measurer {
	cairo_t *cr;
	double size;
	int bold;
} measurer;

static double measure(void *ctx, const char *s, double size, int bold)
{
	measurer *me = ctx;
	char buf[600];
	cairo_text_extents_t e;
	if (size != me->size || bold != me->bold) {
		font(me->cr, size, bold);
		me->size = size;
		me->bold = bold;
	}
	cairo_text_extents(me->cr, drawable(s, buf, sizeof buf), &e);
	return e.x_advance;
}

static void show_text(cairo_t *cr, double x, double y, const char *s)
{
	char buf[600];
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, drawable(s, buf, sizeof buf));
}

/* --- painting ---------------------------------------------------------------------------- */

/* The guide lines: faint, so the curve stays the thing to read. */
static void paint_gc(cairo_t *cr, const mp_plot_model *m)
{
	for (size_t i = 0; i < m->ngcs; i++) {
		color_a(cr, m->gcs[i].color, 0.35);
		cairo_rectangle(cr, m->gcs[i].x, m->y0, m->gcs[i].w, m->y1 - m->y0);
		cairo_fill(cr);
	}
}

/* The GC lane: its background, the bars (outlined, so adjacent ones stay apart and pale ones
 * show in print), the labels over them. */
static void paint_gc_lane(cairo_t *cr, const mp_plot_model *m)
{
	if (!(m->gc_y1 > m->gc_y0))
		return;
	color(cr, LANE_BACKGROUND);
	cairo_rectangle(cr, m->x0, m->gc_y0, m->x1 - m->x0, m->gc_y1 - m->gc_y0);
	cairo_fill(cr);
	cairo_set_line_width(cr, 0.6);
	for (size_t i = 0; i < m->ngc_bars; i++) {
		const mp_plot_gc_bar *b = &m->gc_bars[i];
		color(cr, b->color);
		cairo_rectangle(cr, b->box.x, b->box.y, b->box.w, b->box.h);
		cairo_fill_preserve(cr);
		cairo_set_source_rgba(cr, 0, 0, 0, 0.45);
		cairo_stroke(cr);
	}
	font(cr, MP_PLOT_SMALL_SIZE - 1, 0);
	color(cr, LANE_TEXT);
	for (size_t i = 0; i < m->ngc_bars; i++)
		if (m->gc_bars[i].has_label)
			show_text(cr, m->gc_bars[i].at.x, m->gc_bars[i].at.y, m->gc_bars[i].label);
	color(cr, AXIS_COLOR);
	cairo_set_line_width(cr, 1);
	cairo_rectangle(cr, m->x0, m->gc_y0, m->x1 - m->x0, m->gc_y1 - m->gc_y0);
	cairo_stroke(cr);
	font(cr, MP_PLOT_SMALL_SIZE, 0);
	show_text(cr, m->x0 - 7 - 16, (m->gc_y0 + m->gc_y1) / 2 + 4, "GC");
	if (m->single)
		return;
	/* An overlay's rows: a rule between them, and each marked by its profile's colour. */
	for (int r = 0; r < m->ngc_rows; r++) {
		const mp_plot_gc_row *row = &m->gc_rows[r];
		if (r > 0) {
			color_a(cr, AXIS_COLOR, 0.5);
			cairo_move_to(cr, m->x0, row->y0);
			cairo_line_to(cr, m->x1, row->y0);
			cairo_stroke(cr);
		}
		color(cr, row->color);
		cairo_rectangle(cr, m->x0 - 5, row->y0 + 2, 4, row->y1 - row->y0 - 4);
		cairo_fill(cr);
	}
}

static void paint_grid(cairo_t *cr, const mp_plot_model *m)
{
	cairo_set_line_width(cr, 1.0 / m->scale);
	color(cr, GRID_COLOR);
	for (int k = 0; k < m->time_axis.nticks; k++) {
		cairo_move_to(cr, m->time_axis.ticks[k].grid, m->y0);
		cairo_line_to(cr, m->time_axis.ticks[k].grid, m->y1);
	}
	for (int k = 0; k < m->mem_axis.nticks; k++) {
		cairo_move_to(cr, m->x0, m->mem_axis.ticks[k].grid);
		cairo_line_to(cr, m->x1, m->mem_axis.ticks[k].grid);
	}
	cairo_stroke(cr);
}

static void paint_bands(cairo_t *cr, const mp_plot_file *f)
{
	color_a(cr, f->color, 0.28);
	for (size_t i = 0; i < f->nbands; i++) {
		const mp_plot_band *b = &f->bands[i];
		cairo_move_to(cr, b->x0, b->y_a);
		cairo_line_to(cr, b->x0, b->y_peak);
		cairo_line_to(cr, b->x1, b->y_peak);
		cairo_line_to(cr, b->x1, b->y_b);
		cairo_close_path(cr);
	}
	cairo_fill(cr);
}

static void paint_curve(cairo_t *cr, const mp_plot_curve *c)
{
	if (c->kind == MP_CURVE_NONE)
		return;
	color(cr, c->color);
	if (c->kind == MP_CURVE_BARS) {
		/* Bars are whole device pixels: antialiasing would only blur their ends. */
		cairo_save(cr);
		cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
		for (size_t i = 0; i < c->nbars; i++)
			cairo_rectangle(cr, c->bars[i].x, c->bars[i].y, c->bars[i].w, c->bars[i].h);
		cairo_fill(cr);
		cairo_restore(cr);
		return;
	}
	cairo_set_line_width(cr, c->width);
	cairo_set_line_join(cr, c->round_joins ? CAIRO_LINE_JOIN_ROUND : CAIRO_LINE_JOIN_BEVEL);
	if (c->kind == MP_CURVE_DOT) {
		cairo_arc(cr, c->pts[0].x, c->pts[0].y, 2.5, 0, 2 * M_PI);
		cairo_fill(cr);
	} else {
		for (size_t i = 0; i < c->npts; i++)
			cairo_line_to(cr, c->pts[i].x, c->pts[i].y);
		cairo_stroke(cr);
	}
	for (size_t i = 0; i < c->ndots; i++) {
		cairo_arc(cr, c->dots[i].x, c->dots[i].y, 2.2, 0, 2 * M_PI);
		cairo_fill(cr);
	}
}

static void paint_trend(cairo_t *cr, const mp_plot_file *f)
{
	const double dash[] = {6, 4};
	color(cr, f->color);
	cairo_set_line_width(cr, 1);
	cairo_set_dash(cr, dash, 2, 0);
	cairo_move_to(cr, f->trend[0].x, f->trend[0].y);
	cairo_line_to(cr, f->trend[1].x, f->trend[1].y);
	cairo_stroke(cr);
	cairo_set_dash(cr, NULL, 0, 0);
}

static void paint_brackets(cairo_t *cr, const mp_plot_model *m)
{
	const double h = 7, v = 11; /* the arms' length and the half height */
	cairo_set_line_width(cr, 2.5);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
	for (size_t i = 0; i < m->nbrackets; i++) {
		const mp_plot_bracket *b = &m->brackets[i];
		color(cr, b->color);
		if (b->has_open) {
			cairo_move_to(cr, b->open.x + h, b->open.y - v);
			cairo_line_to(cr, b->open.x, b->open.y - v);
			cairo_line_to(cr, b->open.x, b->open.y + v);
			cairo_line_to(cr, b->open.x + h, b->open.y + v);
		}
		if (b->has_close) {
			cairo_move_to(cr, b->close.x - h, b->close.y - v);
			cairo_line_to(cr, b->close.x, b->close.y - v);
			cairo_line_to(cr, b->close.x, b->close.y + v);
			cairo_line_to(cr, b->close.x - h, b->close.y + v);
		}
		cairo_stroke(cr);
	}
}

static void paint_lane(cairo_t *cr, const mp_plot_model *m)
{
	font(cr, MP_PLOT_SMALL_SIZE, 0);
	color(cr, LANE_BACKGROUND);
	cairo_rectangle(cr, m->x0, m->lane_y0, m->x1 - m->x0, m->lane_y1 - m->lane_y0);
	cairo_fill(cr);
	cairo_save(cr);
	cairo_rectangle(cr, m->x0, m->lane_y0, m->x1 - m->x0, m->lane_y1 - m->lane_y0);
	cairo_clip(cr);
	for (size_t i = 0; i < m->nlane; i++) {
		const mp_plot_lane_box *b = &m->lane[i];
		color_a(cr, b->color, 0.85);
		cairo_rectangle(cr, b->box.x, b->box.y, b->box.w, b->box.h);
		cairo_fill(cr);
		if (!b->label)
			continue;
		color(cr, LANE_TEXT);
		show_text(cr, b->at.x, b->at.y, b->label);
	}
	cairo_restore(cr);
}

static void paint_marks(cairo_t *cr, const mp_plot_model *m)
{
	const double dash[] = {4, 3};
	font(cr, MP_PLOT_SMALL_SIZE, 0);
	for (size_t i = 0; i < m->nmarks; i++) {
		color(cr, MARK_COLOR);
		cairo_set_line_width(cr, 1.2);
		cairo_set_dash(cr, dash, 2, 0);
		cairo_move_to(cr, m->marks[i].x, m->y0);
		cairo_line_to(cr, m->marks[i].x, m->y1);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
		show_text(cr, m->marks[i].at.x, m->marks[i].at.y, m->marks[i].name);
	}
}

static void paint_peak_line(cairo_t *cr, const mp_plot_model *m, const mp_plot_file *f)
{
	if (!f->has_peak || !f->peak_line)
		return;
	const double dash[] = {5, 4};
	color(cr, f->peak_color);
	cairo_set_line_width(cr, 1);
	cairo_set_dash(cr, dash, 2, 0);
	cairo_move_to(cr, m->x0, f->peak.y);
	cairo_line_to(cr, m->x1, f->peak.y);
	cairo_stroke(cr);
	cairo_set_dash(cr, NULL, 0, 0);
}

/* The dot and its label, outside the plot's clip: a peak at an edge keeps its whole dot. */
static void paint_peak(cairo_t *cr, const mp_plot_file *f)
{
	if (!f->has_peak)
		return;
	color(cr, f->peak_color);
	cairo_arc(cr, f->peak.x, f->peak.y, 4.5, 0, 2 * M_PI);
	cairo_fill(cr);
	font(cr, MP_PLOT_SMALL_SIZE, 1);
	/* A white halo keeps the label readable over the curve. */
	cairo_set_source_rgba(cr, 1, 1, 1, 0.8);
	cairo_rectangle(cr, f->peak_halo.x, f->peak_halo.y, f->peak_halo.w, f->peak_halo.h);
	cairo_fill(cr);
	color(cr, f->peak_color);
	show_text(cr, f->peak_label.x, f->peak_label.y, f->peak_label.text);
}

static void paint_axes(cairo_t *cr, const mp_plot_model *m)
{
	const mp_plot_axis *ta = &m->time_axis, *ma = &m->mem_axis;
	font(cr, MP_PLOT_SMALL_SIZE, 0);
	color(cr, AXIS_COLOR);
	cairo_set_line_width(cr, 1);
	cairo_rectangle(cr, m->x0, m->y0, m->x1 - m->x0, m->y1 - m->y0);
	cairo_stroke(cr);
	for (int k = 0; k < ta->nticks; k++) {
		cairo_move_to(cr, ta->ticks[k].pos, m->y1);
		cairo_line_to(cr, ta->ticks[k].pos, m->y1 + 4);
		cairo_stroke(cr);
		show_text(cr, ta->ticks[k].at.x, ta->ticks[k].at.y, ta->ticks[k].label);
	}
	for (int k = 0; k < ma->nticks; k++) {
		cairo_move_to(cr, m->x0 - 4, ma->ticks[k].pos);
		cairo_line_to(cr, m->x0, ma->ticks[k].pos);
		cairo_stroke(cr);
		show_text(cr, ma->ticks[k].at.x, ma->ticks[k].at.y, ma->ticks[k].label);
	}
	font(cr, MP_PLOT_FONT_SIZE, 0);
	show_text(cr, ta->title_at.x, ta->title_at.y, ta->title);
	cairo_save(cr);
	cairo_translate(cr, ma->title_at.x, ma->title_at.y);
	cairo_rotate(cr, -M_PI / 2);
	show_text(cr, 0, 0, ma->title);
	cairo_restore(cr);
	if (m->lane_levels) {
		cairo_rectangle(cr, m->x0, m->lane_y0, m->x1 - m->x0, m->lane_y1 - m->lane_y0);
		cairo_stroke(cr);
	}
}

static void paint_title(cairo_t *cr, const mp_plot_model *m)
{
	if (!m->has_title)
		return;
	font(cr, MP_PLOT_TITLE_SIZE, 1);
	color(cr, TEXT_COLOR);
	show_text(cr, m->title_at.x, m->title_at.y, m->title);
}

static void paint_legend(cairo_t *cr, const mp_plot_model *m)
{
	if (!m->shown)
		return;
	const mp_plot_rect *r = &m->legend;
	font(cr, MP_PLOT_SMALL_SIZE, 0);
	cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
	cairo_rectangle(cr, r->x, r->y, r->w, r->h);
	cairo_fill_preserve(cr);
	color(cr, LEGEND_BORDER);
	cairo_set_line_width(cr, 1);
	cairo_stroke(cr);
	for (size_t i = 0; i < m->nkeys; i++) {
		const mp_plot_key *k = &m->keys[i];
		if (!k->shown)
			continue;
		if (k->kind == MP_KEY_LINE) {
			color(cr, k->color);
			cairo_set_line_width(cr, 2);
			cairo_move_to(cr, r->x + 6, k->y);
			cairo_line_to(cr, r->x + 26, k->y);
			cairo_stroke(cr);
		} else if (k->kind == MP_KEY_BAND) {
			/* A stripe per profile. */
			double w = 16.0 / k->ncolors;
			for (int c = 0; c < k->ncolors; c++) {
				color_a(cr, k->colors[c], 0.45);
				cairo_rectangle(cr, r->x + 8 + w * c, k->y - 5, w, 10);
				cairo_fill(cr);
			}
		} else if (k->kind == MP_KEY_BOX && k->role == MP_ROLE_GC) {
			/* As the lane's bars: a third, two thirds, the full height. */
			double h = 12.0 * (k->gen + 1) / 3;
			color(cr, k->color);
			cairo_rectangle(cr, r->x + 10, k->y + 6 - h, 12, h);
			cairo_fill_preserve(cr);
			cairo_set_source_rgba(cr, 0, 0, 0, 0.45);
			cairo_set_line_width(cr, 0.6);
			cairo_stroke(cr);
		} else if (k->kind == MP_KEY_BOX) {
			color(cr, k->color);
			cairo_rectangle(cr, r->x + 8, k->y - 5, 16, 10);
			cairo_fill(cr);
		}
		color(cr, TEXT_COLOR);
		show_text(cr, m->legend_text_x, k->y + 4, k->label);
	}
}

static void paint(cairo_t *cr, const mp_plot_model *m)
{
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_save(cr);
	cairo_rectangle(cr, m->x0, m->y0, m->x1 - m->x0, m->y1 - m->y0);
	cairo_clip(cr);
	paint_gc(cr, m);
	paint_grid(cr, m);
	for (size_t f = 0; f < m->nfiles; f++)
		paint_bands(cr, &m->files[f]);
	for (size_t f = 0; f < m->nfiles; f++)
		for (size_t c = 0; c < m->files[f].nchildren; c++)
			paint_curve(cr, &m->files[f].children[c]);
	for (size_t f = m->nfiles; f-- > 0;) { /* the first file on top */
		paint_curve(cr, &m->files[f].curve);
		if (m->files[f].has_trend)
			paint_trend(cr, &m->files[f]);
	}
	if (m->functions == MP_FUNCS_BRACKETS) /* it sets the line join the later lines use */
		paint_brackets(cr, m);
	paint_marks(cr, m);
	for (size_t f = 0; f < m->nfiles; f++)
		paint_peak_line(cr, m, &m->files[f]);
	cairo_restore(cr);
	for (size_t f = 0; f < m->nfiles; f++)
		paint_peak(cr, &m->files[f]);

	paint_gc_lane(cr, m);
	if (m->lane_levels)
		paint_lane(cr, m);
	paint_axes(cr, m);
	paint_title(cr, m);
	paint_legend(cr, m);
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
	if (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm"))
		return MP_PLOT_HTML;
	return -1;
}

char *mp_plot_output_path(const char *arg, mp_plot_format *format)
{
	const char *slash = strrchr(arg, '/'), *base = slash ? slash + 1 : arg;
	const char *dot = strrchr(base, '.');
	size_t n = strlen(arg);
	char *out;
	if (!dot || dot == base) { /* no extension: matplotlib's default format */
		if (!(out = malloc(n + 5)))
			return NULL;
		memcpy(out, arg, n);
		memcpy(out + n, ".png", 5);
		*format = MP_PLOT_PNG;
		return out;
	}
	int f = mp_plot_format_of(arg);
	if (f < 0) {
		errno = EINVAL;
		return NULL;
	}
	if (!(out = strdup(arg)))
		return NULL;
	*format = (mp_plot_format)f;
	return out;
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

/* Draws the profiles into a surface of `format` writing to `f` (a PNG is encoded here). The
 * model is built on the surface's own context, whose fonts measure its text. */
static int render(const mp_profile *const *profiles, const char *const *names, size_t n,
		  const mp_plot_opts *o, mp_plot_format format, FILE *f, mp_plot_model *m,
		  const char **cairo_err)
{
	sink s = {f, 0};
	cairo_surface_t *surf;
	double W = o->width > 0 ? o->width : MP_PLOT_WIDTH;
	double H = o->height > 0 ? o->height : MP_PLOT_HEIGHT;
	double scale = 1;
	int rc = 0;
	if (format == MP_PLOT_HTML) /* the interactive page: no cairo */
		return mp_html_write(profiles, names, n, o, f);
	if (format == MP_PLOT_PNG) {
		double dpi = o->dpi > 0 ? o->dpi : 96;
		scale = dpi / 96;
		int w = (int)lround(W * scale), h = (int)lround(H * scale);
		surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	} else if (format == MP_PLOT_SVG) {
		surf = cairo_svg_surface_create_for_stream(sink_write, &s, W, H);
		if (cairo_surface_status(surf) == CAIRO_STATUS_SUCCESS)
			cairo_svg_surface_set_document_unit(surf, CAIRO_SVG_UNIT_PX);
	} else {
		/* PDF is in points: 3/4 of a CSS pixel. */
		surf = cairo_pdf_surface_create_for_stream(sink_write, &s, W * 0.75, H * 0.75);
	}
	cairo_status_t st = cairo_surface_status(surf);
	if (st != CAIRO_STATUS_SUCCESS) {
		*cairo_err = cairo_status_to_string(st);
		cairo_surface_destroy(surf);
		return st == CAIRO_STATUS_NO_MEMORY ? -ENOMEM : MP_EDRAW;
	}
	cairo_t *cr = cairo_create(surf);
	if (format == MP_PLOT_PDF)
		cairo_scale(cr, 0.75, 0.75);
	else if (scale != 1)
		cairo_scale(cr, scale, scale);
	measurer me = {cr, 0, -1};
	rc = mp_plot_model_init(m, profiles, names, n, o, scale, measure, &me);
	if (rc == 0)
		paint(cr, m);
	if (rc == 0 && (st = cairo_status(cr)) != CAIRO_STATUS_SUCCESS) {
		*cairo_err = cairo_status_to_string(st);
		rc = st == CAIRO_STATUS_NO_MEMORY ? -ENOMEM : MP_EDRAW;
	}
	cairo_destroy(cr);
	if (rc == 0 && format == MP_PLOT_PNG) {
		cairo_surface_flush(surf);
		rc = mp_png_write(f, cairo_image_surface_get_data(surf),
				  cairo_image_surface_get_width(surf),
				  cairo_image_surface_get_height(surf),
				  (size_t)cairo_image_surface_get_stride(surf), o->dpi);
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
		  mp_plot_layout *lay, const char **detail)
{
	const char *cairo_err = NULL;
	mp_plot_model m;
	int rc;
	if (detail)
		*detail = NULL;
	if ((rc = mp_plot_check(profiles, n, opts)) < 0)
		return rc;
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return -EISDIR;
	/* Beside the output, so that the final rename stays on one file system. */
	size_t tlen = strlen(path) + 32;
	char *tmp = malloc(tlen);
	if (!tmp)
		return -ENOMEM;
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
		return -e;
	}
	memset(&m, 0, sizeof m); /* render may fail before the model is built */
	rc = render(profiles, names, n, opts, format, f, &m, &cairo_err);
	errno = 0;
	if (fflush(f) != 0 && rc == 0)
		rc = -(errno ? errno : EIO);
	if (fclose(f) != 0 && rc == 0)
		rc = -(errno ? errno : EIO);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		if (detail)
			*detail = cairo_err;
	} else if (lay) {
		double s = format == MP_PLOT_PNG ? m.scale : 1;
		lay->x0 = m.x0 * s;
		lay->y0 = m.y0 * s;
		lay->x1 = m.x1 * s;
		lay->y1 = m.y1 * s;
		lay->tmin = m.tmin;
		lay->tmax = m.tmax;
		lay->mmin = m.mmin;
		lay->mmax = m.mmax;
		lay->lane_y0 = m.lane_y0 * s;
		lay->lane_y1 = m.lane_y1 * s;
		lay->lane_levels = m.lane_levels;
		lay->gc_y0 = m.gc_y0 * s;
		lay->gc_y1 = m.gc_y1 * s;
		lay->legend_x = m.legend.x * s;
		lay->width = (int)lround(m.width * s);
		lay->height = (int)lround(m.height * s);
	}
	mp_plot_model_release(&m);
	free(tmp);
	return rc;
}
