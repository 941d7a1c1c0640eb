/* peak.h - where a run's true peaks come from: choosing the source, and the eBPF source.
 *
 * Sources (docs/peaks.md): MP_PEAKS_BPF, an eBPF program on the kernel's rss_stat tracepoint
 * that keeps the group's resident memory and its maximum since the last reading, with its
 * time; MP_PEAKS_HWM, the untouched VmHWM, read by proc.c; MP_PEAKS_RESET, VmHWM reset
 * through clear_refs (on request only: it changes the program's own peak figures; never for
 * attach); MP_PEAKS_NONE. None but RESET writes anything to the profiled process.
 * The eBPF program must be loaded before the program starts, so that it follows it from its
 * exec: mp_peaks_open comes before mp_spawn.
 */
#ifndef MP_PEAK_H
#define MP_PEAK_H

#include <sys/types.h>

#include "dat.h"

/* What --peaks asks for: a source, or MP_PEAKS_AUTO (bpf where the kernel allows, else
 * hwm). */
#define MP_PEAKS_AUTO (-1)

/* Parses "auto", "bpf", "hwm", "reset", "none". Returns 0 and sets *out (a mp_peak_source or
 * MP_PEAKS_AUTO), or MP_EBADNAME. */
int mp_peaks_parse(const char *name, int *out);

struct mp_peak_bpf;

typedef struct mp_peaks {
	mp_peak_source source;   /* what the run uses */
	const char *fallback;    /* auto: why bpf was not used (META's peaks_fallback), or NULL */
	int bpf_err;             /* auto: the error that made it fall back, else 0 */
	struct mp_peak_bpf *bpf; /* when source is MP_PEAKS_BPF */
} mp_peaks;

/* Chooses the source for `requested` (a source or MP_PEAKS_AUTO) and opens it. `tree`: the
 * peak is the whole tree's (-C). `adopt_parent`: for run, mprof's own pid, whose next child
 * (the program) the eBPF source follows from its exec; 0 for attach (see mp_peaks_watch).
 * A backend other than rss has no peaks (NONE). HWM with a tree is NONE: VmHWM is one
 * process's, and per-process highs do not add up to the tree's. AUTO falls back to HWM (or
 * NONE) when the eBPF source cannot load, saying why in `fallback`. Returns 0, or -errno /
 * MP_E* when an explicit MP_PEAKS_BPF cannot be had (-ENOTSUP: built without it or no kernel
 * BTF; -EPERM: not allowed). */
int mp_peaks_open(mp_peaks *pk, int requested, mp_backend backend, int tree, pid_t adopt_parent);
void mp_peaks_release(mp_peaks *pk);

/* --- the eBPF source (peak_bpf.c; -ENOTSUP stubs when built without it) ------------------ */

/* Loads and attaches the program. `adopt_parent`: see mp_peaks_open. `follow`: count every
 * process the group forks (-C). Returns 0, -ENOTSUP, -EPERM, or another -errno. */
int mp_peak_bpf_open(struct mp_peak_bpf **out, pid_t adopt_parent, int follow);
void mp_peak_bpf_free(struct mp_peak_bpf *b);

/* Adds process `pid` (resident memory `rss` bytes now, as statm says) to the group: the
 * profiled process (`root`) for attach, or a tree member found in /proc. A process already
 * followed from its fork is left as it is. Returns 0 or -errno. */
int mp_peak_bpf_watch(struct mp_peak_bpf *b, pid_t pid, long long rss, int root);

/* The group's highest resident memory (bytes) since the previous call, and when it was
 * reached (CLOCK_MONOTONIC ns), or -1 when it did not rise above where the interval began (the
 * maximum is then that start's memory); starts the next interval from the memory now. */
void mp_peak_bpf_read(struct mp_peak_bpf *b, long long *max, long long *when_ns);

/* The program's resident memory when it exec'd, and when (CLOCK_MONOTONIC ns): the kernel's
 * reading, there even when the program ended before mprof could read /proc. Returns 0, or
 * -ENODATA (not adopted, or not exec'd yet). */
int mp_peak_bpf_exec_sample(struct mp_peak_bpf *b, long long *rss, long long *when_ns);

/* A new read-only fd (close-on-exec; the caller closes it) of the array in which the kernel
 * keeps each followed process's resident memory for the traced processes to read
 * (MPROF_TRACE_RSS_ENV, docs/trace-protocol.md). Returns the fd or -errno. */
int mp_peak_bpf_rss_fd(struct mp_peak_bpf *b);

/* Processes the program could not follow: its member map was full. */
unsigned long long mp_peak_bpf_lost(const struct mp_peak_bpf *b);

#endif
