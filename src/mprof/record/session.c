/* session.c - the session loop: samples on absolute deadlines, the trace channel, signals and
 * the program's exit, all waited for in one epoll set.
 *
 * Invariants:
 * - Samples are due at start + k*interval (CLOCK_MONOTONIC), never "interval after the
 *   previous one": the achieved rate is the requested one unless a whole period is overrun,
 *   and then ticks are skipped, not shifted.
 * - A round is one system call to wait: the signalfd, the channel (while quiet) and the
 *   attached program's pidfd sit in one epoll set, registered once, and the wait's timeout is
 *   the next deadline (sample, flush, busy channel, --timeout). No timerfd: on this path its
 *   read (which re-arms it) cost as much as the wait itself. mprof's timer slack is cut to a
 *   thousandth of the interval so that the timeout wakes it on time (the default 50 us is half
 *   a 0.1 ms interval).
 * - The tree (for -C/-M) is rediscovered at every sample from each known process's children
 *   file; a process's /proc files stay open while it lives (mp_proc).
 * - Signals are handled before the timer in each round, so a sample is never taken of a
 *   program that has already exited.
 * - No amount of trace traffic delays a sample, a signal or the program's exit: each drain
 *   reads at most CHANNEL_BUDGET bytes of the socket, and the ring for at most half the time
 *   until the next drain (batch_ns) and never past the next sample's deadline; a drain cut
 *   short is resumed in the next round, after signals and the timer have had their turn.
 * - mprof raises its own scheduling priority (nice -10) when it may (root, CAP_SYS_NICE):
 *   a program busy on every core, or a flood of trace events, then cannot delay a sample by
 *   making mprof wait for a CPU. Only mprof's own thread is raised, after the program was
 *   started: the program's priority is what it would be without mprof.
 * - Peaks (docs/peaks.md): nothing is written to the program unless the source is
 *   MP_PEAKS_RESET. A PEAK carries the time of its maximum (bpf) or the interval that holds it
 *   (hwm, reset: from the previous sample to this one). The final PEAK is the program's own,
 *   the tree's with -C: wait4's ru_maxrss is used only when the program reaped no child.
 * - The first sample is the first thing done; when the program has already ended, the eBPF
 *   source's reading at its exec stands in for it.
 * - The trace channel is watched (in the epoll set) only while it is quiet. A drain that finds
 *   events takes it out of the set and drains it again CHANNEL_BATCH_NS later: a busy
 *   program then wakes mprof once a millisecond, not once an event, and its sends find no
 *   sleeper to wake, which makes each one cheaper. A quiet channel costs no wakeup at all.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "channel.h"
#include "ring.h"
#include "session.h"

#define MAX_TREE 4096
#define SESSION_NICE (-10)
#define CHANNEL_BATCH_NS 1000000LL /* drain a busy channel every 1 ms */
/* At most this much of the channel per drain (about 2,500 small events, well under a
 * millisecond of parsing): a flood is read in slices between which samples, signals and the
 * program's exit are seen. */
#define CHANNEL_BUDGET (64u * 1024u)
#define RING_CHUNK (16u * 1024u)     /* the ring is read this much between looks at the clock */

struct tracked {
	mp_proc proc;
	int seen; /* found in this sample's walk */
};

struct session {
	const mp_session_opts *o;
	mp_session_result *r;
	struct tracked *procs; /* procs[0] is the profiled process */
	size_t nprocs, cap;
	mp_proc self;          /* for our own children (the subreaper's orphans) */
	int have_self;
	mp_channel chan;
	long long last_mem;
	struct timespec last_time; /* of the last sample: the next interval's start */
	long long hwm_seen;   /* MP_PEAKS_HWM: the highest VmHWM read so far; -1 before the first */
	int root_gone;
	long long final_peak; /* from wait4, bytes; -1 when unknown */
	long long start_ns;   /* CLOCK_MONOTONIC when sampling began, just after the exec */
	int root_reaped;      /* the program had reaped children of its own (its ru_maxrss may
				 be theirs); -1 unknown */
	long long sample_at;  /* the next sample is due (CLOCK_MONOTONIC ns) */
	long long chan_due;   /* busy channel: drain at this CLOCK_MONOTONIC ns; -1: watch it */
	int epfd;             /* the epoll set: signalfd, pidfd, and the channel while watched */
	int chan_watched;     /* the channel is in the epoll set */
	int ring_fast;        /* the last drain of the ring found a quarter of a slot */
	int no_pwait2;        /* epoll_pwait2 refused: ppoll on the epoll fd instead */
	struct timespec exit_time;
};

static long long mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long long to_ns(double s)
{
	return (long long)(s * 1e9 + 0.5);
}

static struct tracked *find(struct session *s, pid_t pid)
{
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].proc.pid == pid)
			return &s->procs[i];
	return NULL;
}

static struct tracked *track(struct session *s, pid_t pid)
{
	struct tracked *t = find(s, pid);
	if (t)
		return t;
	if (s->nprocs == MAX_TREE)
		return NULL;
	if (s->nprocs == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 16;
		struct tracked *np = realloc(s->procs, ncap * sizeof *np);
		if (!np)
			return NULL;
		s->procs = np;
		s->cap = ncap;
	}
	t = &s->procs[s->nprocs];
	mp_peak_source ps = s->o->peaks == MP_PEAKS_BPF ? MP_PEAKS_NONE : s->o->peaks;
	if (mp_proc_open(&t->proc, pid, s->o->backend, ps) < 0)
		return NULL; /* gone already, or not ours to read */
	t->seen = 0;
	s->nprocs++;
	if (s->o->bpf && (s->nprocs == 1 ? !s->o->is_child : s->o->sum_children)) {
		/* Not followed from its fork: the attached process, or a tree member found here. */
		long long mem, peak;
		if (mp_proc_sample(&t->proc, &mem, &peak) == 0)
			mp_peak_bpf_watch(s->o->bpf, pid, mem, s->nprocs == 1);
	}
	return t;
}

/* Walks the tree from the roots, breadth first, marking what it finds; forgets the rest. */
static void refresh_tree(struct session *s)
{
	pid_t kids[MAX_TREE];
	for (size_t i = 0; i < s->nprocs; i++)
		s->procs[i].seen = 0;
	s->procs[0].seen = 1;
	if (s->have_self) { /* orphans re-parented to us, the subreaper */
		size_t n = 0;
		mp_proc_children(&s->self, kids, MAX_TREE, &n);
		for (size_t i = 0; i < n; i++) {
			if (kids[i] == s->o->not_in_tree)
				continue;
			struct tracked *t = track(s, kids[i]);
			if (t)
				t->seen = 1;
		}
	}
	for (size_t i = 0; i < s->nprocs; i++) {
		if (!s->procs[i].seen)
			continue;
		size_t n = 0;
		mp_proc_children(&s->procs[i].proc, kids, MAX_TREE, &n);
		for (size_t k = 0; k < n; k++) {
			struct tracked *t = track(s, kids[k]);
			if (t)
				t->seen = 1;
		}
	}
	size_t w = 1;
	for (size_t i = 1; i < s->nprocs; i++) {
		if (s->procs[i].seen)
			s->procs[w++] = s->procs[i];
		else
			mp_proc_release(&s->procs[i].proc);
	}
	s->nprocs = w;
}

static void mono_to_real(long long mono_ns, struct timespec *out)
{
	struct timespec rt, mt;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mt);
	long long d = ((long long)mt.tv_sec * 1000000000LL + mt.tv_nsec) - mono_ns;
	long long r = (long long)rt.tv_sec * 1000000000LL + rt.tv_nsec - (d > 0 ? d : 0);
	out->tv_sec = (time_t)(r / 1000000000LL);
	out->tv_nsec = (long)(r % 1000000000LL);
}

static void note_peak(struct session *s, long long mem, long long peak)
{
	if (mem > s->r->max_mem)
		s->r->max_mem = mem;
	long long p = peak > mem ? peak : mem;
	if (p > s->r->max_peak)
		s->r->max_peak = p;
}

/* The interval's PEAK, after its MEM line `mem` at `now`: from the eBPF source (the time of the
 * maximum), or from VmHWM read with the sample (`peak`, -1 none; the interval that holds it). */
static void write_peak(struct session *s, long long mem, long long peak, const struct timespec *now)
{
	const mp_session_opts *o = s->o;
	int first = s->r->samples == 0;
	if (o->peaks == MP_PEAKS_BPF) {
		long long max, when;
		mp_peak_bpf_read(o->bpf, &max, &when);
		if (when >= 0 && max > mem) {
			struct timespec t;
			mono_to_real(when, &t);
			if (!first && (t.tv_sec < s->last_time.tv_sec ||
				       (t.tv_sec == s->last_time.tv_sec && t.tv_nsec < s->last_time.tv_nsec)))
				t = s->last_time; /* clocks read a few us apart */
			mp_dat_peak(o->out, max, &t, NULL);
		}
		note_peak(s, mem, max);
		return;
	}
	if (peak < 0) {
		note_peak(s, mem, -1);
		return;
	}
	if (o->peaks == MP_PEAKS_HWM) {
		/* The all-time high: news only when it rose since the last sample. The first
		 * reading is the baseline (for run, the program's first instants). */
		int rose = s->hwm_seen >= 0 && peak > s->hwm_seen;
		if (peak > s->hwm_seen)
			s->hwm_seen = peak;
		if (rose && peak > mem)
			mp_dat_peak(o->out, peak, now, &s->last_time);
		note_peak(s, mem, rose ? peak : -1);
		return;
	}
	if (peak > mem) /* MP_PEAKS_RESET: the high since the last reading */
		mp_dat_peak(o->out, peak, now, first ? now : &s->last_time);
	note_peak(s, mem, peak);
}

static void take_sample(struct session *s)
{
	const mp_session_opts *o = s->o;
	int tree = o->sum_children || o->each_child;
	if (tree)
		refresh_tree(s);
	long long mem, peak;
	int rc = mp_proc_sample(&s->procs[0].proc, &mem, &peak);
	if (rc < 0 || (o->is_child && mem == 0)) {
		/* Exited (a zombie reads as empty): its SIGCHLD is on the way. */
		s->root_gone = o->is_child ? s->root_gone : 1;
		return;
	}
	long long sum = mem, peak_sum = peak < 0 ? mem : peak;
	int have_peak = peak >= 0;
	struct timespec now;
	if (tree) {
		long long cm[MAX_TREE];
		int ok[MAX_TREE];
		for (size_t i = 1; i < s->nprocs; i++) {
			long long cp;
			ok[i] = mp_proc_sample(&s->procs[i].proc, &cm[i], &cp) == 0;
			if (!ok[i] || !o->sum_children)
				continue;
			sum += cm[i];
			peak_sum += cp < 0 ? cm[i] : cp;
		}
		clock_gettime(CLOCK_REALTIME, &now);
		mp_dat_mem(o->out, sum, &now);
		write_peak(s, sum, have_peak ? peak_sum : -1, &now);
		if (o->each_child)
			for (size_t i = 1; i < s->nprocs; i++)
				if (ok[i])
					mp_dat_chld(o->out, s->procs[i].proc.pid, cm[i], &now);
		if (o->feed && o->feed->child)
			for (size_t i = 1; i < s->nprocs; i++)
				if (ok[i])
					o->feed->child(o->feed->ctx, s->procs[i].proc.pid, cm[i], &now);
	} else {
		clock_gettime(CLOCK_REALTIME, &now);
		mp_dat_mem(o->out, sum, &now);
		write_peak(s, sum, have_peak ? peak_sum : -1, &now);
	}
	s->last_mem = sum;
	s->last_time = now;
	s->r->samples++;
	if (o->feed && o->feed->sample)
		o->feed->sample(o->feed->ctx, sum, s->r->max_peak, &now);
}

/* The first sample, before anything else is set up. When the program has already ended (a
 * run of a few ms), the eBPF source's reading at its exec is the sample. */
static void first_sample(struct session *s)
{
	take_sample(s);
	if (s->r->samples || !s->o->bpf || !s->o->is_child)
		return;
	long long rss, when;
	if (mp_peak_bpf_exec_sample(s->o->bpf, &rss, &when) < 0)
		return;
	struct timespec t;
	mono_to_real(when, &t);
	mp_dat_mem(s->o->out, rss, &t);
	write_peak(s, rss, -1, &t);
	s->last_mem = rss;
	s->last_time = t;
	s->r->samples++;
	s->r->first_from_exec = 1;
}

static void on_event(const mp_event *ev, void *ctx)
{
	struct session *s = ctx;
	mp_dat *w = s->o->out;
	pid_t who = ev->pid == s->o->pid ? 0 : ev->pid;
	switch (ev->type) {
	case 'F':
		mp_dat_func(w, ev->name, ev->name_len, ev->rss0, &ev->t0, ev->rss1, &ev->t1,
			    ev->level, who);
		break;
	case 'M':
		mp_dat_mark(w, ev->name, ev->name_len, ev->rss0, &ev->t0, ev->pid);
		break;
	case 'G':
		mp_dat_gc(w, ev->gen, ev->rss0, &ev->t0, ev->rss1, &ev->t1, ev->collected,
			  ev->uncollectable, ev->candidates, ev->pid);
		break;
	/* 'B', a bracket opened: for the feed only, never written. */
	}
	if (s->o->feed && s->o->feed->event)
		s->o->feed->event(s->o->feed->ctx, ev);
}

/* When a busy channel or ring is read again: CHANNEL_BATCH_NS later, a quarter of it while
 * the ring fills fast. */
static long long batch_ns(const struct session *s)
{
	return s->ring_fast ? CHANNEL_BATCH_NS / 4 : CHANNEL_BATCH_NS;
}

/* The trace ring (ring.h): whatever the program's processes appended to it. Reading it costs
 * no system call, only the parsing, so it is bounded by time, not bytes: RING_CHUNK bytes at a
 * time until the ring is empty, the next sample is due, or half the time to the next drain
 * (batch_ns) has gone. mprof then spends at most about half its time on a flood of brackets,
 * and a program that brackets fast seldom finds its slot full and falls back to one send per
 * event. It is read at every sample while the channel is quiet and with every drain of the
 * channel; a ring that had brackets is read again batch_ns later, as a busy channel is.
 * Returns 1 when time cut it short. */
static int drain_ring(struct session *s)
{
	if (!s->o->ring)
		return 0;
	unsigned long before = s->o->ring->events + s->o->ring->bad;
	unsigned long long bytes = s->o->ring->bytes;
	int more = mp_ring_drain(s->o->ring, RING_CHUNK, on_event, s);
	if (more) { /* the clock only for a ring with more than a chunk: a quiet one costs none */
		long long now = mono_ns(), until = now + batch_ns(s) / 2;
		if (s->sample_at > now && s->sample_at < until)
			until = s->sample_at;
		while (now < until && (more = mp_ring_drain(s->o->ring, RING_CHUNK, on_event, s)))
			now = mono_ns();
	}
	/* A slot found a quarter full fills in a few batches: read sooner. */
	s->ring_fast = s->o->ring->bytes - bytes > MPROF_TRACE_RING_CAP / 4;
	if (s->o->ring->events + s->o->ring->bad != before && s->chan_due < 0 && !s->chan.eof)
		s->chan_due = mono_ns() + batch_ns(s);
	return more;
}

static void drain_channel(struct session *s)
{
	if (s->o->trace_fd < 0 || s->chan.eof)
		return;
	unsigned long before = s->chan.events + s->chan.bad;
	unsigned long ring_before = s->o->ring ? s->o->ring->events + s->o->ring->bad : 0;
	/* The ring first: what fills it fastest, and cheapest to read. */
	int more = drain_ring(s) > 0;
	more |= mp_channel_drain(&s->chan, CHANNEL_BUDGET, on_event, s) > 0;
	int busy = (s->chan.events + s->chan.bad != before ||
		    (s->o->ring && s->o->ring->events + s->o->ring->bad != ring_before)) &&
		   !s->chan.eof;
	/* Cut short by the budget: again as soon as the next round has seen to the rest. */
	s->chan_due = busy || more ? mono_ns() + batch_ns(s) : -1;
}

/* At the end: what the program sent before it ended, but no longer than `until` (a writer
 * that outlives the program, such as an orphaned descendant, cannot hold the run open). */
static void drain_rest(struct session *s, long long until)
{
	while (drain_ring(s) > 0 && mono_ns() < until)
		;
	while (s->o->trace_fd >= 0 && !s->chan.eof &&
	       mp_channel_drain(&s->chan, CHANNEL_BUDGET, on_event, s) > 0 && mono_ns() < until)
		;
	drain_ring(s); /* what a process whose slot was full sent meanwhile */
}

static int wait_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 0;
}

/* Reaps every child that has ended; notes the program's own end. */
static void reap(struct session *s)
{
	siginfo_t si;
	si.si_pid = 0;
	if (s->root_reaped < 0 &&
	    waitid(P_PID, (id_t)s->o->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	    si.si_pid == s->o->pid) /* a zombie still: its stat tells whether it reaped any */
		s->root_reaped = mp_proc_reaped_children(s->o->pid);
	for (;;) {
		int st;
		struct rusage ru;
		pid_t pid = wait4(-1, &st, WNOHANG, &ru);
		if (pid <= 0)
			return;
		if (pid != s->o->pid)
			continue; /* an orphan of the tree */
		s->root_gone = 1;
		s->r->exited = 1;
		s->r->status = wait_status(st);
		s->final_peak = (long long)ru.ru_maxrss * 1024;
		clock_gettime(CLOCK_REALTIME, &s->exit_time);
	}
}

static const int session_signals[] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1,
				       SIGUSR2, SIGALRM, SIGPIPE, SIGXFSZ};

int mp_session_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof session_signals / sizeof session_signals[0]; i++) {
		/* One mprof was given ignored (nohup's SIGHUP, a background job's SIGINT) stays
		 * ignored: the kernel drops it for mprof, and the program inherits it ignored. */
		struct sigaction sa;
		if (sigaction(session_signals[i], NULL, &sa) == 0 && sa.sa_handler == SIG_IGN &&
		    session_signals[i] != SIGCHLD)
			continue;
		sigaddset(&set, session_signals[i]);
	}
	if (sigprocmask(SIG_BLOCK, &set, old) < 0)
		return -errno;
	int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0) {
		int e = errno;
		sigprocmask(SIG_SETMASK, old, NULL);
		return -e;
	}
	return fd;
}

static void handle_signals(struct session *s)
{
	struct signalfd_siginfo si;
	while (read(s->o->signal_fd, &si, sizeof si) == (ssize_t)sizeof si) {
		int sig = (int)si.ssi_signo;
		if (sig == SIGPIPE || sig == SIGXFSZ)
			continue; /* shown to mprof as EPIPE / EFBIG where they matter */
		if (sig == SIGCHLD) {
			if (s->o->is_child)
				reap(s);
			continue;
		}
		if (!s->o->is_child) { /* attached: stop watching, leave the target alone */
			s->r->stop_signal = sig;
			continue;
		}
		/* A terminal's ^C already reached the whole foreground group (si_code SI_KERNEL):
		 * pass on only what was sent to mprof alone. */
		if (si.ssi_code != SI_KERNEL)
			kill(s->o->pid, sig);
	}
}

enum { SRC_SIGNAL = 1, SRC_CHANNEL, SRC_PIDFD };

static int watch(int epfd, int fd, int src)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)src};
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/* The channel is in the epoll set exactly while it is quiet (see the file's comment). */
static void watch_channel(struct session *s)
{
	int want = s->o->trace_fd >= 0 && !s->chan.eof && s->chan_due < 0;
	if (want == s->chan_watched)
		return;
	if (want) {
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = SRC_CHANNEL};
		s->chan_watched = epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->o->trace_fd, &ev) == 0;
		if (!s->chan_watched) /* cannot be watched: drained at each sample instead */
			s->chan_due = mono_ns() + CHANNEL_BATCH_NS;
	} else {
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->o->trace_fd, NULL);
		s->chan_watched = 0;
	}
}

/* Waits until an fd of the set is ready or `until` (CLOCK_MONOTONIC ns, -1 never); sets
 * which sources are ready in *ready (bits 1 << SRC_*). Returns 0 or -errno. */
static int wait_round(struct session *s, long long until, unsigned *ready)
{
	struct epoll_event ev[4];
	struct timespec ts, *tsp = NULL;
	*ready = 0;
	if (until >= 0) {
		long long now = mono_ns(), d = until > now ? until - now : 0;
		ts.tv_sec = (time_t)(d / 1000000000LL);
		ts.tv_nsec = (long)(d % 1000000000LL);
		tsp = &ts;
	}
	int n = -1;
	if (!s->no_pwait2) {
		n = epoll_pwait2(s->epfd, ev, 4, tsp, NULL);
		/* A kernel before 5.11, or a seccomp filter (an older container's) that refuses it. */
		s->no_pwait2 = n < 0 && (errno == ENOSYS || errno == EPERM);
	}
	if (s->no_pwait2) {
		/* The set waited for as one fd, with ppoll's timeout (epoll_wait's is in ms). */
		struct pollfd p = {.fd = s->epfd, .events = POLLIN};
		n = ppoll(&p, 1, tsp, NULL);
		if (n > 0)
			n = epoll_wait(s->epfd, ev, 4, 0);
	}
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++)
		*ready |= 1u << ev[i].data.u32;
	return 0;
}

/* The first deadline after `now` on the grid start + k*period: ticks missed are skipped. */
static long long next_tick(long long start, long long period, long long now)
{
	return start + ((now - start) / period + 1) * period;
}

/* The last, partial interval's peak. eBPF: its maximum and time, the group's as every
 * interval's. VmHWM: wait4's ru_maxrss, the high-water mark since our last reset (reset) or
 * ever (hwm), only for a lone process (with a tree it would be one member's) that reaped no
 * child (else it may be a descendant's: wait4 folds theirs in). */
static void final_peak(struct session *s)
{
	const mp_session_opts *o = s->o;
	if (!s->r->samples)
		return;
	if (o->peaks == MP_PEAKS_BPF) {
		long long max, when;
		mp_peak_bpf_read(o->bpf, &max, &when);
		if (when >= 0 && max > s->last_mem) {
			struct timespec t;
			mono_to_real(when, &t);
			if (t.tv_sec < s->last_time.tv_sec ||
			    (t.tv_sec == s->last_time.tv_sec && t.tv_nsec < s->last_time.tv_nsec))
				t = s->last_time;
			mp_dat_peak(o->out, max, &t, NULL);
			note_peak(s, s->last_mem, max);
		}
		return;
	}
	int tree = o->sum_children || o->each_child;
	if (!s->r->exited || tree || s->root_reaped != 0 || s->final_peak <= s->last_mem ||
	    mp_proc_peaks(&s->procs[0].proc) == MP_PEAKS_NONE)
		return;
	if (o->peaks == MP_PEAKS_HWM && s->final_peak <= s->hwm_seen)
		return; /* no new high since the last sample */
	mp_dat_peak(o->out, s->final_peak, &s->exit_time, &s->last_time);
	note_peak(s, s->last_mem, s->final_peak);
}

/* A program over before its first sample could be read (a few milliseconds, and no eBPF
 * reading at its exec): its one sample is the only figure the kernel keeps of it, wait4's
 * ru_maxrss, stamped when sampling began, just after its exec. Only when the program reaped
 * no child of its own, whose figure it could be. */
static void sample_of_the_dead(struct session *s)
{
	if (s->r->samples || !s->r->exited || s->final_peak <= 0 || s->root_reaped != 0)
		return;
	struct timespec t;
	mono_to_real(s->start_ns, &t);
	mp_dat_mem(s->o->out, s->final_peak, &t);
	note_peak(s, s->final_peak, -1);
	s->last_mem = s->final_peak;
	s->last_time = t;
	s->r->samples++;
}

static void finish(struct session *s)
{
	const mp_session_opts *o = s->o;
	long long slice = to_ns(o->interval);
	if (o->before_last_drain)
		o->before_last_drain(o->drain_ctx);
	drain_rest(s, mono_ns() + (slice > 100000000LL ? slice : 100000000LL));
	sample_of_the_dead(s);
	final_peak(s);
	if (s->r->exited)
		mp_dat_exit(o->out, s->r->status, &s->exit_time);
	mp_dat_flush(o->out);
}

int mp_session_run(const mp_session_opts *o, mp_session_result *r)
{
	struct session s;
	memset(&s, 0, sizeof s);
	memset(r, 0, sizeof *r);
	s.o = o;
	s.r = r;
	s.final_peak = -1;
	s.hwm_seen = -1;
	s.root_reaped = -1;
	s.chan_due = -1;
	s.epfd = -1;
	if (!track(&s, o->pid))
		return -ESRCH;
	long long start = mono_ns();
	s.start_ns = start;
	first_sample(&s);
	if ((o->sum_children || o->each_child) && o->is_child)
		s.have_self = mp_proc_open(&s.self, getpid(), MP_BACKEND_RSS, 0) == 0;
	if (o->trace_fd >= 0)
		mp_channel_init(&s.chan, o->trace_fd);

	int rc = 0, pidfd = -1;
	s.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s.epfd < 0) {
		rc = -errno;
		goto out;
	}
	if ((rc = watch(s.epfd, o->signal_fd, SRC_SIGNAL)) < 0)
		goto out;
	if (!o->is_child) {
		pidfd = (int)syscall(SYS_pidfd_open, o->pid, 0); /* -1: fall back on ESRCH */
		if (pidfd >= 0 && watch(s.epfd, pidfd, SRC_PIDFD) < 0) {
			close(pidfd);
			pidfd = -1;
		}
	}

	/* Best effort: without the privilege, mprof samples at the normal priority. */
	(void)setpriority(PRIO_PROCESS, 0, SESSION_NICE);
	long long period = to_ns(o->interval);
	if (period < 1000)
		period = 1000;
	long long slack = period / 1000 < 50000 ? period / 1000 : 50000;
	(void)prctl(PR_SET_TIMERSLACK, (unsigned long)(slack > 0 ? slack : 1), 0, 0, 0);
	long long stop_at = o->timeout > 0 ? start + to_ns(o->timeout) : -1;
	s.sample_at = next_tick(start, period, start);
	int write_error_told = 0;

	while (!s.root_gone && !r->stop_signal) {
		watch_channel(&s);
		long long wake = s.sample_at, flush_at = mp_dat_deadline(o->out);
		if (flush_at >= 0 && flush_at < wake)
			wake = flush_at;
		if (stop_at >= 0 && stop_at < wake)
			wake = stop_at;
		if (s.chan_due >= 0 && s.chan_due < wake)
			wake = s.chan_due;
		unsigned ready;
		if ((rc = wait_round(&s, wake, &ready)) < 0)
			break;
		if (ready & (1u << SRC_SIGNAL))
			handle_signals(&s);
		if (ready & (1u << SRC_PIDFD))
			s.root_gone = 1;
		/* The sample before the channel: a due sample never waits for a drain. */
		long long now = mono_ns();
		if (!s.root_gone && !r->stop_signal && now >= s.sample_at) {
			take_sample(&s);
			s.sample_at = next_tick(start, period, now);
			if (s.chan_due < 0) /* else a drain is due within 1 ms anyway */
				drain_ring(&s);
		}
		if ((ready & (1u << SRC_CHANNEL)) || (s.chan_due >= 0 && now >= s.chan_due))
			drain_channel(&s);
		now = mono_ns();
		mp_dat_tick(o->out, now);
		if (o->out->err && !write_error_told) {
			write_error_told = 1;
			if (o->on_write_error)
				o->on_write_error(o->ctx, o->out->err);
		}
		if (stop_at >= 0 && now >= stop_at && !s.root_gone) {
			r->timed_out = 1;
			break;
		}
	}
	r->seconds = (double)(mono_ns() - start) / 1e9;
	finish(&s);
	if (o->out->err && !write_error_told && o->on_write_error)
		o->on_write_error(o->ctx, o->out->err);
	r->write_error = o->out->err;
	r->events = s.chan.events + (o->ring ? o->ring->events : 0);
	r->bad_events = s.chan.bad + (o->ring ? o->ring->bad : 0);
out:
	if (s.epfd >= 0)
		close(s.epfd);
	if (pidfd >= 0)
		close(pidfd);
	for (size_t i = 0; i < s.nprocs; i++)
		mp_proc_release(&s.procs[i].proc);
	free(s.procs);
	if (s.have_self)
		mp_proc_release(&s.self);
	return rc;
}
