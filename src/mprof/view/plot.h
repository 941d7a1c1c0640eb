/* plot.h - drawing profiles to PNG, SVG or PDF (the only part of gclab that knows cairo).
 *
 * The picture: memory against seconds since each file's start; the true peak of each
 * interval as a band above the sampled curve; the peak marked with its value and time;
 * function brackets (or a flame lane) with one legend entry per function; GC collections as
 * spans as wide as they lasted, shaded by generation; markers as labelled vertical lines;
 * children as their own curves; several files overlaid. Each curve is reduced to the minimum
 * and maximum of every pixel column before it is drawn, so the peak stays exact and a million
 * samples cost what a few thousand do.
 */
#ifndef MP_PLOT_H
#define MP_PLOT_H

#include <stddef.h>

#include "profile.h"

typedef enum mp_plot_format { MP_PLOT_PNG, MP_PLOT_SVG, MP_PLOT_PDF } mp_plot_format;

typedef struct mp_plot_opts {
	const char *title;    /* NULL: the profile's command line when there is one file */
	int no_functions;     /* -n: no brackets and no flame lane */
	int flame;            /* -f: functions as a flame lane instead of brackets */
	int slope;            /* -s: a least-squares trend line per curve */
	int has_tmin, has_tmax;
	double tmin, tmax;    /* --window, in seconds since the start */
	int width, height;    /* in CSS pixels (1/96 inch); 0: the defaults */
	double dpi;           /* PNG resolution; 0: 96 (a PNG of width x height pixels) */
} mp_plot_opts;

#define MP_PLOT_WIDTH 1000
#define MP_PLOT_HEIGHT 500

/* Where things landed, in output pixels: for tests, which read the PNG back. */
typedef struct mp_plot_layout {
	double x0, y0, x1, y1;     /* the plot area: x0 left, y0 top, x1 right, y1 bottom */
	double tmin, tmax;         /* seconds at x0 and x1 */
	double mmin, mmax;         /* MiB at y1 and y0 */
	double lane_y0, lane_y1;   /* the flame lane, when drawn */
	int lane_levels;
	double legend_x;           /* the legend's left edge */
	int width, height;         /* the image */
} mp_plot_layout;

/* The format an output path's extension names (.png, .svg, .pdf, any case); -1 if none. */
int mp_plot_format_of(const char *path);

/* Draws `n` profiles, each named by `names[i]` in the legend, into `path` in `format`. The
 * image is written to a temporary file beside `path` and renamed over it when complete, so no
 * partial image is ever left. Fills `layout` when not NULL. Returns 0, or -errno with one line
 * in `err` ("cannot write 'x.png': Permission denied"), or -EINVAL when there is nothing to
 * draw (no samples in any profile, or none inside the window). */
int mp_plot_write(const mp_profile *const *profiles, const char *const *names, size_t n,
		  const mp_plot_opts *opts, mp_plot_format format, const char *path,
		  mp_plot_layout *layout, char *err, size_t errlen);

/* Reduces the points of `pts` (sorted by time) that fall in [t0, t1] to at most 4 per column
 * of `cols` equal columns: each column's first, lowest, highest and last point, in time order,
 * so the outline and every column's extremes are exact. Also keeps the nearest point outside
 * each end, so the line reaches the edges. Writes at most 4 * cols + 2 points into `out`;
 * returns how many. */
size_t mp_plot_decimate(const mp_point *pts, size_t n, double t0, double t1, int cols,
			mp_point *out);

#endif
