/* export.h - a profile as CSV or JSON, for spreadsheets and notebooks (mprof export).
 *
 * Times are seconds since the profile's start (its earliest time), memory is MiB, as in the
 * plot. docs/plot.md describes both formats.
 */
#ifndef MP_EXPORT_H
#define MP_EXPORT_H

#include <stdio.h>

#include "profile.h"

/* One table, one row per thing, its kind in the first column:
 * kind,t,mem,t_end,mem_end,name,level,pid,gen,collected,uncollectable,candidates,status
 * with kinds sample, peak, child, call, gc, mark and exit. Returns 0 or -errno. */
int mp_export_csv(const mp_profile *p, FILE *out);

/* One JSON object: file, cmdline, start (epoch seconds), meta, samples, peaks, children,
 * functions (each with its calls), gc, marks, exit. Strings are valid UTF-8 (bytes that are
 * not become U+FFFD). Returns 0 or -errno. */
int mp_export_json(const mp_profile *p, const char *file, FILE *out);

#endif
