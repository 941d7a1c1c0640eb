/* plot_model.h - everything numeric about a plot, computed once, without cairo.
 *
 * From the profiles and the options, the model computes the ranges, ticks and their labels,
 * the plot area, legend, decimated curves, trend lines, true-peak bands, brackets, flame lane,
 * the GC lane (a bar per collection) and its guide lines, markers, peak markers, title and
 * colours, as positions in CSS pixels (1/96 inch,
 * y downwards). A painter (paint_cairo.c) only draws what is here, in this file's order; it
 * computes nothing from the data. Tests assert on these numbers instead of reading pixels.
 *
 * Text: legend, title and labels are placed by their width, which only the painter's fonts
 * know. The model asks through a callback (`mp_plot_measure`) rather than estimating: every
 * position right of the y axis depends on the legend's width, so an estimate would move every
 * pixel of the picture, and text would overflow or be cut short where the font is wider or
 * narrower than guessed. With no callback (tests, painters without fonts), a fixed estimate of
 * 0.6 em per character is used.
 *
 * Ownership: the model borrows the profiles, names and options; they must outlive it. Strings
 * of the model are either its own (arrays in its structs) or point into the profiles (function
 * and mark names); all are as the profile holds them: not necessarily valid UTF-8.
 */
#ifndef MP_PLOT_MODEL_H
#define MP_PLOT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"

typedef struct mp_plot_opts {
	const char *title;    /* NULL: the profile's command line when there is one file */
	int no_functions;     /* -n: no brackets and no flame lane */
	int flame;            /* -f: functions as a flame lane instead of brackets */
	int slope;            /* -s: a least-squares trend line per curve */
	int has_tmin, has_tmax;
	double tmin, tmax;    /* --window, in seconds since the start */
	int has_mmin, has_mmax;
	double mmin, mmax;    /* --ylim, in MiB; an end not given is automatic */
	int width, height;    /* in CSS pixels (1/96 inch); 0: the defaults */
	double dpi;           /* PNG resolution; 0: 96 (a PNG of width x height pixels) */
} mp_plot_opts;

#define MP_PLOT_WIDTH 1000
#define MP_PLOT_HEIGHT 500
#define MP_PLOT_MAX_TICKS 100
#define MP_PLOT_LANE_ROW 17.0 /* flame lane: the height of one level */
#define MP_PLOT_LANE_MAX 12   /* levels drawn; deeper calls are left out */
#define MP_PLOT_GC_LANE 30.0  /* the GC lane's height: a row of labels over the bars */
#define MP_PLOT_GC_MIN_W 2.0  /* a collection's bar is never narrower (CSS pixels) */
#define MP_PLOT_GC_ROWS 4     /* overlays: one GC row per profile with collections, at most */
#define MP_PLOT_KEY_COLORS 6  /* colours one legend swatch can show (one per profile) */

/* Font sizes, in CSS pixels: the painter draws each text in the size the model measured. */
#define MP_PLOT_FONT_SIZE 12.0  /* axis titles */
#define MP_PLOT_SMALL_SIZE 10.5 /* ticks, legend, marks, lane, peak label (bold) */
#define MP_PLOT_TITLE_SIZE 15.0 /* the title (bold) */

/* The advance width of `text` in CSS pixels at font `size`, bold or not. */
typedef double (*mp_plot_measure)(void *ctx, const char *text, double size, int bold);

typedef struct mp_plot_xy {
	double x, y;
} mp_plot_xy;

typedef struct mp_plot_rect {
	double x, y, w, h;
} mp_plot_rect;

/* A curve, decimated (mp_plot_decimate) to the plot's pixel columns. */
typedef enum mp_plot_curve_kind {
	MP_CURVE_NONE, /* nothing inside the window */
	MP_CURVE_LINE, /* a polyline through pts */
	MP_CURVE_BARS, /* dense (3 or more points a column): one bar per device pixel column,
			* from the column's lowest to its highest point (the stroke's own pixels) */
	MP_CURVE_DOT   /* a single sample: a dot at pts[0] */
} mp_plot_curve_kind;

typedef struct mp_plot_curve {
	mp_plot_curve_kind kind;
	uint32_t color;     /* 0xRRGGBB */
	double width;       /* line width */
	int round_joins;    /* LINE with fewer points than columns: round joins show */
	size_t ndecimated;  /* points after decimation */
	mp_plot_xy *pts;    /* LINE, DOT */
	size_t npts;
	mp_plot_rect *bars; /* BARS */
	size_t nbars;
	mp_plot_xy *dots;   /* LINE, DOT: samples marked, those far from both neighbours */
	size_t ndots;
} mp_plot_curve;

/* A PEAK line's band: from the sampled line (y_a at x0, y_b at x1) up to the peak. */
typedef struct mp_plot_band {
	double x0, x1, y_a, y_peak, y_b;
} mp_plot_band;

typedef struct mp_plot_text {
	double x, y; /* the baseline's left end */
	char text[96];
} mp_plot_text;

/* One profile's drawing. */
typedef struct mp_plot_file {
	uint32_t color;
	mp_plot_curve curve;      /* MEM samples */
	mp_plot_curve *children;  /* one per CHLD pid */
	size_t nchildren;
	mp_plot_band *bands;      /* PEAK lines */
	size_t nbands;
	int has_trend;            /* -s and at least two samples */
	double slope, intercept;  /* MiB/s and MiB at t = 0 (least squares over every sample) */
	mp_plot_xy trend[2];      /* at the plot's left and right edges */
	int has_peak;             /* the peak is inside the window */
	double peak_mem, peak_t;  /* MiB, seconds since the start */
	uint32_t peak_color;
	mp_plot_xy peak;          /* the marker */
	int peak_line;            /* a dashed line across the plot at the peak (one file only) */
	mp_plot_text peak_label;  /* "peak 50.0 MiB at 0.20 s", bold */
	mp_plot_rect peak_halo;   /* the white box behind the label */
} mp_plot_file;

/* How FUNC calls are drawn: not at all (-n, several files), brackets, or a flame lane (-f). */
typedef enum mp_plot_functions {
	MP_FUNCS_NONE,
	MP_FUNCS_BRACKETS,
	MP_FUNCS_LANE
} mp_plot_functions;

/* A FUNC call's bracket ends inside the window: '[' at entry, ']' at exit. */
typedef struct mp_plot_bracket {
	uint32_t color;
	int has_open, has_close;
	mp_plot_xy open, close;
} mp_plot_bracket;

typedef struct mp_plot_lane_box {
	uint32_t color;
	mp_plot_rect box;
	const char *label; /* NULL when neither the name nor its last dotted part fits */
	mp_plot_xy at;
} mp_plot_lane_box;

/* A collection's thin guide line across the memory plot, at its start. */
typedef struct mp_plot_gc_span {
	uint32_t color;
	int gen;          /* 0, 1 or 2 (2 and older) */
	double x, w;      /* from the plot's top to its bottom */
} mp_plot_gc_span;

/* A collection's bar in the GC lane: as wide as it lasted (MP_PLOT_GC_MIN_W at least, kept
 * inside the plot's width), as tall as its generation (a third, two thirds, all of the bar
 * row), so that generations differ in shape as well as colour. Collections that fall in the
 * same pixel are merged into one bar (`runs` of them). */
typedef struct mp_plot_gc_bar {
	uint32_t color;
	int gen;          /* 0, 1 or 2 (2 and older) */
	int row;          /* its row of the lane (gc_rows) */
	size_t first;     /* the profile's GC index of its first collection */
	size_t runs;      /* collections merged into it */
	mp_plot_rect box;
	long collected;   /* objects freed by its collections */
	double freed;     /* MiB the memory dropped across them (0 when it did not) */
	int has_label;    /* room was found for the label */
	char label[40];   /* "1234 obj, 2.1 MiB"; centred over the bar at `at` */
	mp_plot_xy at;
} mp_plot_gc_bar;

/* One row of the GC lane: the single profile's, or in an overlay one per profile that has
 * collections (the first MP_PLOT_GC_ROWS of them), marked at its left by the profile's
 * colour. */
typedef struct mp_plot_gc_row {
	size_t file;      /* the profile (files[file]) */
	uint32_t color;   /* its colour */
	double y0, y1;    /* the row: labels from y0, bars from bar_y0 down to y1 - 1 */
	double bar_y0;
} mp_plot_gc_row;

typedef struct mp_plot_mark {
	double x;         /* a vertical line from the plot's top to its bottom */
	const char *name; /* the label, at `at` */
	mp_plot_xy at;
} mp_plot_mark;

typedef enum mp_plot_key_kind { MP_KEY_LINE, MP_KEY_BOX, MP_KEY_BAND, MP_KEY_TEXT } mp_plot_key_kind;

/* What an entry is about: when the legend is too long, functions give way first ("and N more
 * functions"), then children; GC entries, profiles, the band and the exit are always shown. */
typedef enum mp_plot_key_role {
	MP_ROLE_CURVE, MP_ROLE_CHILD, MP_ROLE_BAND, MP_ROLE_FUNC, MP_ROLE_GC, MP_ROLE_EXIT
} mp_plot_key_role;

typedef struct mp_plot_key {
	mp_plot_key_kind kind;
	mp_plot_key_role role;
	uint32_t color;
	uint32_t colors[MP_PLOT_KEY_COLORS]; /* the swatch's stripes: `color` and others, one per
					      * profile (the true-peak band of several) */
	int ncolors;      /* stripes in the swatch (1 at least) */
	int gen;          /* GC entries: the generation (the swatch's bar height) */
	int shown;        /* drawn (the others are counted in "and N more") */
	char text[160];   /* the entry */
	char label[160];  /* shown entries: the text as drawn (shortened to fit; "and N more") */
	double y;         /* shown entries: the row's middle */
} mp_plot_key;

typedef struct mp_plot_tick {
	double value;     /* seconds or MiB */
	double pos;       /* x (time axis) or y (memory axis) */
	double grid;      /* the grid line's position, on a device pixel's middle */
	char label[32];
	mp_plot_xy at;    /* the label's baseline */
} mp_plot_tick;

typedef struct mp_plot_axis {
	double step;
	int nticks;
	mp_plot_tick ticks[MP_PLOT_MAX_TICKS];
	char title[16];   /* "time (s)", "memory (MiB)" */
	mp_plot_xy title_at; /* the memory axis' title reads upwards from here */
} mp_plot_axis;

typedef struct mp_plot_model {
	double width, height;    /* the picture, CSS pixels */
	double scale;            /* device pixels per CSS pixel (PNG at another dpi) */
	int single;              /* one profile: functions, GC spans and marks are drawn */
	double tmin, tmax;       /* seconds at x0 and x1 */
	double mmin, mmax;       /* MiB at y1 and y0 */
	double x0, y0, x1, y1;   /* the plot area: x0 left, y0 top, x1 right, y1 bottom */
	int columns;             /* device pixel columns of the plot area */

	int has_title;
	char title[512];         /* shortened from the left to fit, bold */
	mp_plot_xy title_at;

	mp_plot_axis time_axis, mem_axis;

	mp_plot_file *files;     /* one per profile */
	size_t nfiles;

	mp_plot_functions functions; /* how calls are shown (single file only) */
	uint32_t *fn_colors;     /* single file: each function's colour, by its index */
	mp_plot_gc_span *gcs;    /* single file only: guide lines */
	size_t ngcs;
	double gc_y0, gc_y1;     /* the GC lane, all its rows (else both 0) */
	double gc_bar_y0;        /* the top of the first row's bars (labels above) */
	mp_plot_gc_row gc_rows[MP_PLOT_GC_ROWS];
	int ngc_rows;            /* 1 for a single profile with GC lines; one per overlaid
				  * profile with them, up to MP_PLOT_GC_ROWS; 0: no lane */
	mp_plot_gc_bar *gc_bars; /* by generation, then time */
	size_t ngc_bars;
	mp_plot_bracket *brackets;
	size_t nbrackets;
	mp_plot_mark *marks;
	size_t nmarks;

	int lane_levels;         /* the flame lane's levels; 0: no lane */
	double lane_y0, lane_y1;
	mp_plot_lane_box *lane;
	size_t nlane;

	mp_plot_key *keys;       /* every legend entry */
	size_t nkeys;
	size_t shown;            /* the entries drawn (keys[i].shown); when some are left out,
				  * the last function drawn says "and N more functions" */
	size_t more;             /* entries folded into "and N more" (N), 0 when all fit */
	mp_plot_rect legend;     /* the legend's box (width 0 without entries) */
	double legend_text_x;
} mp_plot_model;

/* Whether `n` profiles can be drawn with `opts`: 0, MP_ENOSAMPLES when no profile has a
 * sample, MP_EBADSIZE when the size is outside 200x150 to 20000x20000. */
int mp_plot_check(const mp_profile *const *profiles, size_t n, const mp_plot_opts *opts);

/* Builds the model of `n` profiles, each named by `names[i]` (a path, shown by its base name
 * when there are several), for a device of `scale` pixels per CSS pixel (<= 0: 1). `measure`
 * (may be NULL) gives text widths, called with `ctx`. Returns 0, MP_ENOSAMPLES, MP_EBADSIZE or
 * -ENOMEM; on failure `m` holds nothing to release. */
int mp_plot_model_init(mp_plot_model *m, const mp_profile *const *profiles,
		       const char *const *names, size_t n, const mp_plot_opts *opts, double scale,
		       mp_plot_measure measure, void *ctx);

/* The colour of generation `gen` (2 for 2 and older): Okabe and Ito's palette, told apart by
 * readers with any colour vision and, by lightness and bar height, in grey print. */
uint32_t mp_plot_gc_color(int gen);

/* Frees what mp_plot_model_init allocated. */
void mp_plot_model_release(mp_plot_model *m);

/* Reduces the points of `pts` (sorted by time) that fall in [t0, t1] to at most 4 per column
 * of `cols` equal columns: each column's first, lowest, highest and last point, in time order,
 * so the outline and every column's extremes are exact. Also keeps the nearest point outside
 * each end, so the line reaches the edges. Writes at most 4 * cols + 2 points into `out`;
 * returns how many. */
size_t mp_plot_decimate(const mp_point *pts, size_t n, double t0, double t1, int cols,
			mp_point *out);

#endif
