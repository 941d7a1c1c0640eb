/* plot.h - drawing profiles to PNG, SVG or PDF: the cairo painter of the plot model.
 *
 * The picture: memory against seconds since each file's start; the true peak of each
 * interval as a band above the sampled curve; the peak marked with its value and time;
 * function brackets (or a flame lane) with one legend entry per function; GC collections as
 * spans as wide as they lasted, shaded by generation; markers as labelled vertical lines;
 * children as their own curves; several files overlaid. What goes where, and every number
 * behind it, is the plot model's (plot_model.h); this painter only draws it, with cairo, and
 * writes the file. It is the only part of gclab that knows cairo.
 */
#ifndef MP_PLOT_H
#define MP_PLOT_H

#include <stddef.h>

#include "plot_model.h"
#include "profile.h"

typedef enum mp_plot_format { MP_PLOT_PNG, MP_PLOT_SVG, MP_PLOT_PDF, MP_PLOT_HTML } mp_plot_format;

/* Where things landed, in output pixels: for tests, which read the PNG back. */
typedef struct mp_plot_layout {
	double x0, y0, x1, y1;     /* the plot area: x0 left, y0 top, x1 right, y1 bottom */
	double tmin, tmax;         /* seconds at x0 and x1 */
	double mmin, mmax;         /* MiB at y1 and y0 */
	double lane_y0, lane_y1;   /* the flame lane, when drawn */
	double gc_y0, gc_y1;       /* the GC lane, when drawn (else both 0) */
	int lane_levels;
	double legend_x;           /* the legend's left edge */
	int width, height;         /* the image */
} mp_plot_layout;

/* The format an output path's extension names (.png, .svg, .pdf, .html or .htm, any case);
 * -1 if none. */
int mp_plot_format_of(const char *path);

/* The file `mprof plot -o ARG` writes, as memory_profiler's (matplotlib's) savefig does: ARG
 * when its extension names a format, ARG.png when it has none ("name", "dir.d/name",
 * ".hidden"). Returns a new string (the caller frees it) and sets *format; NULL with errno
 * EINVAL when the extension names no format (".jpg"), ENOMEM when out of memory. */
char *mp_plot_output_path(const char *arg, mp_plot_format *format);

/* Draws `n` profiles, each named by `names[i]` in the legend, into `path` in `format`. The
 * image is written to a temporary file beside `path` and renamed over it when complete, so no
 * partial image is ever left. Fills `layout` when not NULL.
 * Returns 0 or a negative code (error.h): MP_ENOSAMPLES when no profile has a sample,
 * MP_EBADSIZE when the size is out of range (nothing is created then); -errno when the file
 * cannot be created or written; MP_EDRAW (or -ENOMEM) when cairo stops drawing, and then, when
 * `detail` is not NULL, `*detail` is cairo's reason (a static string; NULL otherwise). */
int mp_plot_write(const mp_profile *const *profiles, const char *const *names, size_t n,
		  const mp_plot_opts *opts, mp_plot_format format, const char *path,
		  mp_plot_layout *layout, const char **detail);

#endif
