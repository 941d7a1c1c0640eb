/* trace.h - a profile as Chrome trace-event JSON (mprof export --format trace), the format that
 * Perfetto, chrome://tracing, speedscope and the Firefox Profiler open.
 *
 * One process track per process (the profiled program, named from CMDLINE and its pid; each
 * child of -M, and each process that sent brackets); on it a memory counter (MEM, or CHLD for a
 * child; named by the backend, "rss") and, for the profiled program, a true-peak counter
 * (PEAK), each with one series, "MiB"; brackets as nested complete ("X") slices on the
 * process's thread; collections as slices on a "GC" thread of their process, with their
 * generation, objects collected and uncollectable, candidates, duration and memory before and
 * after as args; marks and the exit as instant events. Times are microseconds since the
 * profile's start; memory is MiB. docs/plot.md has the details.
 */
#ifndef MP_TRACE_H
#define MP_TRACE_H

#include <stdio.h>

#include "profile.h"

/* The tid of a process's GC track: the pid plus this (tids are per process in the format; a
 * number no real thread of the process has). */
#define MP_TRACE_GC_TID_OFFSET 1000000000L

/* Writes `p` (read from `file`, named in otherData) to `out`. Returns 0 or -errno. */
int mp_export_trace(const mp_profile *p, const char *file, FILE *out);

#endif
