/* html.h - the interactive page: `mprof plot -o profile.html`.
 *
 * One self-contained HTML file (no network, nothing beside it): uPlot (from npm, embedded at
 * build time, web/web.cmake) draws the memory curves; the page's own script (web/page.js)
 * draws the same elements as the PNG (GC lane, brackets, true-peak bands, marks, the peak) and
 * lets the reader zoom (drag, wheel), pan (shift-drag), reset (double click, the button) and
 * hover for exact values. Samples are shipped whole, delta-coded and base64'd (about 4 bytes a
 * sample), and decimated in the page to the pixel columns of each zoom level, so a million
 * samples stay fluid. Colours, names, legend and the memory axis come from the plot model, so
 * page and PNG agree.
 */
#ifndef MP_HTML_H
#define MP_HTML_H

#include <stdio.h>

#include "plot_model.h"
#include "profile.h"

/* Writes the page of `n` profiles (named by `names[i]`) to `out`. Returns 0, MP_ENOSAMPLES,
 * MP_EBADSIZE, -ENOMEM or -errno. */
int mp_html_write(const mp_profile *const *profiles, const char *const *names, size_t n,
		  const mp_plot_opts *opts, FILE *out);

#endif
