/* proc.h - one process's memory, read from /proc through files held open.
 *
 * Each mp_proc keeps its /proc/PID files open for its whole life, so a sample is one pread
 * per file and never a path lookup. A held file also pins the process: once it exits, reads
 * fail with ESRCH even if the pid is reused.
 */
#ifndef MP_PROC_H
#define MP_PROC_H

#include <stddef.h>
#include <sys/types.h>

#include "dat.h"


typedef struct mp_proc {
	pid_t pid;
	mp_backend backend;
	mp_peak_source peaks;  /* MP_PEAKS_HWM or MP_PEAKS_RESET when read here, else NONE */
	int mem_fd;       /* statm, or smaps_rollup for pss/uss */
	int schedstat_fd; /* -1 when peaks are off */
	int status_fd;    /* -1 when peaks are off */
	int clear_fd;     /* clear_refs, write-only; only for MP_PEAKS_RESET */
	int children_fd;  /* task/PID/children: the main thread's children */
	unsigned long long runtime; /* schedstat run time at the last peak reading */
	int threads;                /* from the last status reading */
	int peak_read;              /* a peak reading has been taken */
	long long hwm;              /* VmHWM at the last reading, bytes */
} mp_proc;

/* Opens pid's files. With `peaks` MP_PEAKS_HWM, also schedstat and status, to read the
 * untouched VmHWM; with MP_PEAKS_RESET, also clear_refs, to reset it after each reading (which
 * changes the program's own peak figures: only on request). When these cannot be opened (the
 * rss backend only; clear_refs is another user's), peaks are quietly off for this process:
 * mp_proc_peaks() tells. MP_PEAKS_BPF reads nothing here. Returns 0, or -errno (-ENOENT/-ESRCH:
 * no such process, -EACCES: not ours to read). Nothing is ever written to the process unless
 * `peaks` is MP_PEAKS_RESET. */
int mp_proc_open(mp_proc *p, pid_t pid, mp_backend backend, mp_peak_source peaks);
void mp_proc_release(mp_proc *p);
mp_peak_source mp_proc_peaks(const mp_proc *p);

/* Reads the process's memory now, in bytes, into *mem, and into *peak: with MP_PEAKS_HWM the
 * process's all-time high (VmHWM); with MP_PEAKS_RESET the highest since the previous call
 * (then reset); *mem when the process has not run since and so cannot have changed (its last
 * VmHWM for HWM); -1 when peaks are off. Returns 0, or -ESRCH when the process is gone, or
 * another -errno. */
int mp_proc_sample(mp_proc *p, long long *mem, long long *peak);

/* Whether process `pid` (alive or a zombie not yet reaped) has reaped children of its own, as
 * its stat's cminflt/cmajflt tell: then wait4's ru_maxrss for it may be a descendant's.
 * Returns 1, 0, or -errno. */
int mp_proc_reaped_children(pid_t pid);

/* Appends to `out` (capacity `cap`, count in *n) the pids of the process's children, every
 * thread's. Returns 0, -ENOSPC when `out` is full (what fit is kept), or -errno. */
int mp_proc_children(mp_proc *p, pid_t *out, size_t cap, size_t *n);

/* 1 when `pid` is a kernel thread (it has no memory of its own to sample), 0 when not, or
 * -errno. */
int mp_proc_is_kernel_thread(pid_t pid);

/* Reads /proc/PID/cmdline into `buf` as NUL-separated arguments; returns the byte count
 * (0 for a kernel thread or zombie), or -errno. */
ssize_t mp_proc_cmdline(pid_t pid, char *buf, size_t len);

/* The process's name as psutil reports it: comm, or the basename of argv[0] when comm was
 * cut at 15 characters. Returns 0 or -errno. */
int mp_proc_name(pid_t pid, char *buf, size_t len);

/* Calls `fn` for each process on the machine, in pid order, until it returns nonzero
 * (returned). Returns 0 after the last, or -errno when /proc cannot be read. */
int mp_proc_each(int (*fn)(pid_t pid, void *ctx), void *ctx);

#endif
