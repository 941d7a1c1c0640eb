/* session.h - sample a process (or its tree) on a fixed schedule into a .dat profile, and
 * merge what the trace channel says as it arrives.
 *
 * Library code: it never prints and never exits. Process-wide state it relies on, set up by
 * its caller: the signals of mp_session_signals() blocked and read through `signal_fd`, and,
 * for a tree (-C/-M) of a program we started, this process a child subreaper so that
 * orphaned descendants stay in the tree.
 */
#ifndef MP_SESSION_H
#define MP_SESSION_H

#include <signal.h>
#include <sys/types.h>

#include "dat.h"
#include "peak.h"
#include "proc.h"

/* Blocks, and opens a signalfd for, the signals a session reads: SIGCHLD (the program's end),
 * the terminating signals it forwards to the program it started (SIGINT, SIGTERM, SIGHUP,
 * SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM) or that end an attached session, and those that must not
 * kill mprof: SIGPIPE (a closed stderr shows as EPIPE) and SIGXFSZ (a file size limit shows as
 * EFBIG). A signal mprof was started with ignored (nohup) is left out: it stays ignored for
 * mprof and for the program. Dispositions are left alone. The previous mask goes to *old.
 * Returns the signalfd, or -errno. */
int mp_session_signals(sigset_t *old);

struct mp_event;

/* An observer of what the session records (a live view, a status line), called on the
 * session's thread as each thing is recorded. It must return at once and never block: copy
 * what it needs and go. Any callback may be NULL. Without a feed the session's cost is one
 * test per sample and per event. */
typedef struct mp_session_feed {
	/* A sample: MEM (bytes) and the highest true peak so far (bytes), at `t` (realtime). */
	void (*sample)(void *ctx, long long mem, long long max_peak, const struct timespec *t);
	/* With -C or -M, after each sample: one member of the tree besides the program. */
	void (*child)(void *ctx, pid_t pid, long long mem, const struct timespec *t);
	/* Each well-formed trace event, including B (a bracket opened), which is never written. */
	void (*event)(void *ctx, const struct mp_event *ev);
	void *ctx;
} mp_session_feed;

typedef struct mp_session_opts {
	double interval;      /* seconds between samples */
	double timeout;       /* stop sampling after this many seconds; <= 0: no limit */
	mp_backend backend;
	mp_peak_source peaks; /* where each interval's true peak comes from (peak.h) */
	struct mp_peak_bpf *bpf; /* the eBPF source, loaded before the program started, when
				  * peaks is MP_PEAKS_BPF */
	int sum_children;     /* -C: MEM is the whole tree's */
	int each_child;       /* -M: a CHLD line per descendant */
	pid_t pid;            /* the profiled process */
	int is_child;         /* we started it: reap it, report its status */
	int trace_fd;         /* reading end of the trace channel, or -1 */
	struct mp_ring *ring; /* the trace ring (ring.h), read at each sample and at the end; or
				 NULL */
	int signal_fd;        /* signalfd for SIGCHLD, SIGINT, SIGTERM, SIGHUP */
	mp_dat *out;
	const mp_session_feed *feed; /* or NULL */
	pid_t not_in_tree;    /* a child of mprof's own that is not the program's (the live
				 view's process), left out of the tree; 0 none */
	/* Called once, as it happens, when the profile cannot be written (the run goes on). */
	void (*on_write_error)(void *ctx, int err);
	void *ctx;
	/* Called once at the end, before the channel's last drain: a source that forwards events
	 * into the channel (the uprobe brackets, uprobe.h) sends what it still holds. Or NULL. */
	void (*before_last_drain)(void *drain_ctx);
	void *drain_ctx;
} mp_session_opts;

typedef struct mp_session_result {
	int exited;          /* the program ended while we watched */
	int status;          /* its exit status, 128+N for signal N; 0 when unknown */
	int timed_out;       /* sampling stopped at the timeout */
	int stop_signal;     /* attach: the signal that stopped us, else 0 */
	unsigned long long samples;
	double seconds;      /* from the first sample to the end */
	long long max_mem;   /* highest MEM, bytes */
	long long max_peak;  /* highest true peak (MEM where no peak was read), bytes */
	int first_from_exec; /* the first MEM is the eBPF source's reading at exec: the program
				ended before /proc could be read */
	unsigned long events, bad_events; /* trace channel */
	int write_error;     /* -errno of the first write error, else 0 */
} mp_session_result;

/* Runs until the program exits (or the target, attached, disappears), the timeout passes, or
 * (attached) a stop signal arrives; writes the samples, the events and, when the program
 * exited, the final PEAK and EXIT lines; flushes. The first sample is taken before anything
 * else. Returns 0, or -errno when sampling could not start at all (nothing written then). */
int mp_session_run(const mp_session_opts *o, mp_session_result *r);

#endif
