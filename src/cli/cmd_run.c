/* cmd_run.c - mprof run and mprof attach: parse the options, start (or find) the program,
 * open the profile, hand over to the sampler, pass the program's status through. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "channel.h"
#include "cli.h"
#include "dat.h"
#include "funcs.h"
#include "peak.h"
#include "proc.h"
#include "python.h"
#include "run_status.h"
#include "session.h"
#include "ring.h"
#include "spawn.h"
#include "uprobe.h"

struct run_args {
	double interval;
	double timeout;
	mp_backend backend;
	int python, nopython, children, multiprocess, attach, quiet, live;
	int peaks; /* --peaks: a mp_peak_source or MP_PEAKS_AUTO */
	const char *output;
	const char *functions;    /* --functions PATTERNS, or NULL */
	const char *min_duration; /* --min-duration DURATION, or NULL */
	long long min_ns;
};

static int parse_seconds(const char *s, double min, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v) || v < min || v > 1e7)
		return -1;
	*out = v;
	return 0;
}

static int opt_interval(const cli_option *opt, const char *arg, const char *cmd)
{
	if (parse_seconds(arg, 0.0001, opt->target) < 0)
		return cli_usage_error(cmd, "invalid interval '%s': seconds, from 0.0001 to 10000000", arg);
	return 0;
}

static int opt_timeout(const cli_option *opt, const char *arg, const char *cmd)
{
	double *timeout = opt->target;
	if (parse_seconds(arg, 0, timeout) < 0 || *timeout <= 0)
		return cli_usage_error(cmd, "invalid timeout '%s': seconds, more than 0 and at most 10000000", arg);
	return 0;
}

static int opt_backend(const cli_option *opt, const char *arg, const char *cmd)
{
	if (mp_backend_parse(arg, opt->target) < 0)
		return cli_usage_error(cmd, "unknown backend '%s': use rss, pss or uss "
					    "(or psutil, psutil_pss, psutil_uss)", arg);
	return 0;
}

static int opt_peaks(const cli_option *opt, const char *arg, const char *cmd)
{
	if (mp_peaks_parse(arg, opt->target) < 0)
		return cli_usage_error(cmd, "unknown peak source '%s': use auto, bpf, hwm, reset or "
					    "none", arg);
	return 0;
}

static int opt_functions(const cli_option *opt, const char *arg, const char *cmd)
{
	mpi_filter f;
	int bad = 0, rc = mpi_filter_init(&f, arg, &bad);
	if (rc == -EINVAL)
		return cli_usage_error(cmd, "invalid function patterns '%s': an empty pattern at "
					    "offset %d (PATTERNS are globs separated by commas)", arg, bad);
	if (rc < 0)
		return cli_usage_error(cmd, "out of memory");
	mpi_filter_release(&f);
	*(const char **)opt->target = arg;
	return 0;
}

static int opt_min_duration(const cli_option *opt, const char *arg, const char *cmd)
{
	struct run_args *a = opt->target;
	if (mpi_parse_duration(arg, &a->min_ns) < 0)
		return cli_usage_error(cmd, "invalid duration '%s': a number with a unit ns, us, ms "
					    "or s, as 1ms", arg);
	a->min_duration = arg;
	return 0;
}

/* Returns the index of the first non-option argument, or -1 after printing (exit code in
 * *rc). run and attach share the sampling options; attach refuses those that only mean
 * something when mprof starts the program. */
static int parse_run_options(int argc, char **argv, struct run_args *a, int attach, int *rc)
{
	memset(a, 0, sizeof *a);
	a->interval = 0.1;
	a->backend = MP_BACKEND_RSS;
	a->peaks = MP_PEAKS_AUTO;
	const cli_option sampling[] = {
		CLI_CALLBACK('T', "interval", "SECONDS", &a->interval, opt_interval,
			     "sampling period, default 0.1, at least 0.0001"),
		CLI_STRING('o', "output", "FILE", &a->output,
			   "profile to write, default mprofile_YYYYMMDDhhmmss.dat;\n"
			   "an existing FILE is replaced"),
		CLI_CALLBACK('t', "timeout", "SECONDS", &a->timeout, opt_timeout,
			     attach ? "stop sampling after this long (the process runs on)"
				    : "stop sampling after this long (the program runs on)"),
		CLI_FLAG('C', "include-children", &a->children, 1,
			 "MEM is the sum over the whole process tree"),
		CLI_FLAG('M', "multiprocess", &a->multiprocess, 1,
			 "also a CHLD line per descendant process"),
		CLI_CALLBACK(0, "backend", "NAME", &a->backend, opt_backend,
			     "rss (default), pss or uss; psutil, psutil_pss and\n"
			     "psutil_uss are accepted as their aliases"),
		CLI_CALLBACK(0, "peaks", "MODE", &a->peaks, opt_peaks,
			     attach ? "where each interval's true peak comes from: auto\n"
				      "(default: bpf where allowed, else hwm), bpf, hwm (the\n"
				      "untouched VmHWM) or none"
				    : "where each interval's true peak comes from: auto\n"
				      "(default: bpf where allowed, else hwm), bpf, hwm (the\n"
				      "untouched VmHWM), none, or reset (resets VmHWM, which\n"
				      "changes the program's own peak figures)"),
		CLI_FLAG(0, "no-peaks", &a->peaks, MP_PEAKS_NONE, "the same as --peaks=none"),
		CLI_FLAG(0, "live", &a->live, 1,
			 "show memory, brackets and collections full-screen as\n"
			 "they happen (q closes the view; recording goes on);\n"
			 "needs a terminal"),
		CLI_FLAG('q', "quiet", &a->quiet, 1,
			 "print nothing but errors (on a terminal, no status line)"),
		CLI_END,
	};
	const cli_option run_options[] = {
		CLI_INCLUDE(sampling),
		CLI_FLAG(0, "python", &a->python, 1,
			 "run PROGRAM as Python (any interpreter, or -m module)"),
		CLI_FLAG(0, "nopython", &a->nopython, 1,
			 "run a .py PROGRAM directly, not under python3"),
		CLI_NOOP('E', "exit-code", NULL,
			 "accepted for compatibility: the exit status is always\n"
			 "the program's own (128+N when killed by signal N)"),
		CLI_FLAG('a', "attach", &a->attach, 1,
			 "attach to a running process instead (as 'mprof attach')"),
		CLI_CALLBACK(0, "functions", "PATTERNS", &a->functions, opt_functions,
			     "a bracket for each call of the functions whose names\n"
			     "match PATTERNS (globs separated by commas; !GLOB\n"
			     "excludes): PROGRAM built with -finstrument-functions\n"
			     "and -lmprof_instrument, or else through uprobes (root)"),
		CLI_CALLBACK(0, "min-duration", "DURATION", a, opt_min_duration,
			     "keep only the brackets of calls that lasted this long\n"
			     "(as 1ms, 250us; decided when the call ends)"),
		CLI_HELP,
		CLI_VERSION,
		CLI_END,
	};
	/* What only means something when mprof starts the program, refused by name. */
	const cli_option attach_options[] = {
		CLI_INCLUDE(sampling),
		CLI_HELP,
		CLI_VERSION,
		CLI_REFUSED(0, "python", NULL, "is for 'mprof run' only: attach starts no program"),
		CLI_REFUSED(0, "nopython", NULL, "is for 'mprof run' only: attach starts no program"),
		CLI_REFUSED('E', "exit-code", NULL,
			    "is for 'mprof run' only: attach cannot pass on the status of a "
			    "process it did not start"),
		CLI_REFUSED('a', "attach", NULL, "is for 'mprof run' only: this is attach already"),
		CLI_END,
	};
	const cli_parser run = {
		run_options,
		"Usage: mprof run [options] PROGRAM [ARGS...]\n\n"
		"Runs PROGRAM (without a shell) and samples its memory until it exits. A\n"
		"PROGRAM ending in .py, or named python*, runs with a builtin @profile whose\n"
		"brackets, and every run of Python's garbage collector, land in the profile.\n"
		"Options come before PROGRAM; everything after it is PROGRAM's.\n",
		"Exit status: the program's own; 126/127 when it cannot be run; 1 when the\n"
		"profile cannot be written; 2 for a usage error.\n",
		1,
	};
	const cli_parser attach_parser = {
		attach_options,
		"Usage: mprof attach [options] PID|NAME\n\n"
		"Samples the memory of a running process, found by pid or by a name that its\n"
		"process name contains (never mprof itself), until it exits.\n",
		"Exit status: 0 when the process exited or the timeout passed; 128+N when mprof\n"
		"was stopped by signal N; 1 when the process cannot be found or read, or the\n"
		"profile cannot be written; 2 for a usage error.\n",
		1,
	};
	return cli_parse_options(attach ? &attach_parser : &run, argc, argv, rc);
}

struct write_ctx {
	const char *path;
};

static void on_write_error(void *ctx, int err)
{
	const struct write_ctx *w = ctx;
	cli_error("cannot write '%s': %s (sampling goes on, the program is undisturbed)", w->path,
		  strerror(-err));
}

static int open_profile(const struct run_args *a, mp_dat *out, char *name, size_t cap)
{
	int rc;
	if (a->output) {
		rc = mp_dat_create(out, a->output);
		snprintf(name, cap, "%s", a->output);
	} else {
		rc = mp_dat_create_default(out, (long long)time(NULL), name);
	}
	if (rc < 0) {
		const char *why = rc == -ELOOP	   ? "it is a symbolic link"
				  : rc == -EISDIR ? "it is a directory"
				  : rc == -EEXIST ? "it exists and is not a regular file"
						  : strerror(-rc);
		cli_error("cannot create '%s': %s", a->output ? a->output : name, why);
	}
	return rc;
}

/* Opens the peak source before the program starts (the eBPF one follows it from its exec). */
static int open_peaks(const struct run_args *a, mp_peaks *pk)
{
	int rc = mp_peaks_open(pk, a->peaks, a->backend, a->children, a->attach ? 0 : getpid());
	if (rc < 0)
		cli_error("cannot use the eBPF peak source: %s",
			  rc == -ENOTSUP ? "not built in, or the kernel has no BTF"
			  : rc == -EPERM ? "not allowed (needs root, or CAP_BPF and CAP_PERFMON)"
					 : mp_strerror(rc));
	return rc;
}

static void write_meta(mp_dat *out, const struct run_args *a, pid_t pid, const mp_peaks *peaks)
{
	mp_dat_run_info info = {
		.interval = a->interval, .backend = a->backend, .peaks = peaks->source,
		.peaks_fallback = peaks->fallback,
		.sum_children = a->children, .each_child = a->multiprocess, .pid = pid,
	};
	mp_dat_meta(out, &info);
}

static int session_exit_code(const mp_session_result *r, const struct run_args *a,
			     const char *name)
{
	if (r->bad_events && !a->quiet)
		cli_error("skipped %lu malformed trace event(s)", r->bad_events);
	if (r->timed_out && !a->quiet)
		fprintf(stderr, "mprof: stopped sampling after %gs; the program runs on\n", a->timeout);
	if (!a->quiet)
		fprintf(stderr, "mprof: %llu samples in %.3fs, peak %.3f MiB, written to %s\n",
			r->samples, r->seconds, (double)r->max_peak / 1048576.0, name);
	if (r->write_error)
		return CLI_FAIL;
	if (r->stop_signal)
		return 128 + r->stop_signal;
	return r->exited ? r->status : CLI_OK;
}

/* What the person at the terminal sees while mprof records: the live view (mprof-live, a
 * process of its own reading the profile as it grows and a feed of what the profile does not
 * hold), or one status line on a terminal's stderr, or nothing (-q, or no terminal). */
struct watch {
	const mp_session_feed *feed;
	pid_t view_pid;
	int pipe_fd;
	run_status status;
	run_live_feed live;
};

static void watch_start(struct watch *w, const struct run_args *a, const char *name,
			pid_t pid, const sigset_t *old)
{
	w->feed = NULL;
	w->view_pid = 0;
	w->pipe_fd = -1;
	w->status.running = 0;
	if (!a->live) {
		if (!a->quiet && isatty(2) && run_status_start(&w->status) == 0)
			w->feed = &w->status.feed;
		return;
	}
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		cli_error("cannot start the live view: %s (recording goes on)", strerror(errno));
		return;
	}
	char path[4096 + 16], fd[16];
	cli_live_path(path, sizeof path);
	snprintf(fd, sizeof fd, "%d", p[0]);
	char *argv[] = {(char *)"mprof-live", (char *)"--feed", fd, (char *)"--", (char *)name, NULL};
	extern char **environ;
	int rc = mp_spawn(path, argv, environ, p[0], old, &w->view_pid);
	close(p[0]);
	if (rc < 0) {
		cli_error("cannot run '%s': %s (recording goes on)", path, strerror(-rc));
		close(p[1]);
		w->view_pid = 0;
		return;
	}
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	w->pipe_fd = p[1];
	run_live_feed_init(&w->live, p[1], a->children && !a->multiprocess, pid);
	w->feed = &w->live.feed;
}

static void watch_stop(struct watch *w)
{
	if (w->status.running)
		run_status_stop(&w->status);
	if (w->pipe_fd < 0)
		return;
	run_live_feed_flush(&w->live);
	close(w->pipe_fd); /* the view reads the profile's last lines and gives the terminal back */
	int st;
	while (waitpid(w->view_pid, &st, 0) < 0 && errno == EINTR)
		;
}

/* Samples `pid` into `out` until it ends, or the timeout; returns the sampler's 0 or -errno,
 * with what happened in *r. */
static int run_session(const struct run_args *a, const mp_peaks *pk, pid_t pid, int is_child,
		       int trace_fd, mp_ring *ring, int sfd, mp_dat *out, const char *name,
		       mp_session_result *r, const sigset_t *old, struct mp_uprobes *uprobes)
{
	struct write_ctx wc = {name};
	mp_session_opts o = {
		.interval = a->interval, .timeout = a->timeout, .backend = a->backend,
		.peaks = pk->source, .bpf = pk->bpf, .sum_children = a->children,
		.each_child = a->multiprocess, .pid = pid, .is_child = is_child, .trace_fd = trace_fd, .ring = ring, .signal_fd = sfd, .out = out,
		.on_write_error = on_write_error, .ctx = &wc,
		.before_last_drain = uprobes ? mp_uprobes_flush : NULL, .drain_ctx = uprobes,
	};
	struct watch w;
	watch_start(&w, a, name, pid, old);
	o.feed = w.feed;
	o.not_in_tree = w.view_pid;
	int rc = mp_session_run(&o, r);
	watch_stop(&w);
	return rc;
}

struct name_match {
	const char *needle;
	pid_t found;
};

static int match_name(pid_t pid, void *ctx)
{
	struct name_match *m = ctx;
	char name[256];
	if (pid == getpid() || mp_proc_name(pid, name, sizeof name) < 0 ||
	    mp_proc_is_kernel_thread(pid) != 0)
		return 0;
	if (!strstr(name, m->needle))
		return 0;
	m->found = pid;
	return 1;
}

/* The process attach means: a pid, or the first whose name contains `target`. Returns 1 (by
 * pid) or 0 (by name) with *pid set, or -1 after printing why not. */
static int find_target(const char *target, pid_t *pid)
{
	if (!*target) {
		cli_error("cannot attach to '': give a process id or a name");
		return -1;
	}
	int by_pid = 1;
	for (const char *s = target; *s; s++)
		if (!isdigit((unsigned char)*s))
			by_pid = 0;
	if (by_pid) {
		long v = strtol(target, NULL, 10);
		if (v <= 0 || v > 0x7fffffff || v == getpid()) {
			cli_error("cannot attach to '%s': %s", target,
				  v == getpid() ? "that is mprof itself" : "not a process id");
			return -1;
		}
		if (mp_proc_is_kernel_thread((pid_t)v) == 1) {
			cli_error("cannot attach to '%s': it is a kernel thread, with no memory of its "
				  "own to sample", target);
			return -1;
		}
		*pid = (pid_t)v;
		return 1;
	}
	struct name_match m = {target, 0};
	mp_proc_each(match_name, &m);
	if (!m.found) {
		cli_error("cannot attach to '%s': no process has a name containing it", target);
		return -1;
	}
	*pid = m.found;
	return 0;
}

static int do_attach(const struct run_args *a, const char *target, int sfd)
{
	pid_t pid = 0;
	int by_pid = find_target(target, &pid);
	if (by_pid < 0)
		return CLI_FAIL;
	mp_proc probe;
	int rc = mp_proc_open(&probe, pid, a->backend, 0);
	if (rc < 0) {
		cli_error("cannot read process %d: %s", (int)pid,
			  rc == -ESRCH ? "No such process" : strerror(-rc));
		return CLI_FAIL;
	}
	mp_proc_release(&probe);

	mp_peaks pk;
	if (open_peaks(a, &pk) < 0)
		return CLI_FAIL;
	mp_dat out;
	char name[4096];
	if (open_profile(a, &out, name, sizeof name) < 0) {
		mp_peaks_release(&pk);
		return CLI_FAIL;
	}
	if (by_pid) {
		mp_dat_cmdline_text(&out, target);
	} else {
		char args[4096], repr[4096];
		ssize_t n = mp_proc_cmdline(pid, args, sizeof args);
		mp_dat_format_argv_repr(args, n > 0 ? (size_t)n : 0, repr, sizeof repr);
		mp_dat_cmdline_text(&out, repr);
	}
	write_meta(&out, a, pid, &pk);
	if (!a->quiet)
		fprintf(stderr, "mprof: attached to %d, sampling every %gs into %s\n", (int)pid,
			a->interval, name);
	mp_session_result r;
	sigset_t none;
	sigemptyset(&none);
	rc = run_session(a, &pk, pid, 0, -1, NULL, sfd, &out, name, &r, &none, NULL);
	mp_peaks_release(&pk);
	int close_rc = mp_dat_close(&out);
	if (rc < 0) {
		cli_error("cannot sample process %d: %s", (int)pid, strerror(-rc));
		return CLI_FAIL;
	}
	if (close_rc < 0 && !r.write_error) {
		cli_error("cannot write '%s': %s", name, strerror(-close_rc));
		return CLI_FAIL;
	}
	return session_exit_code(&r, a, name);
}

/* A program that mprof run starts, and what it holds while it runs. */
struct launch {
	char **argv;	 /* what is exec'd: the user's command, or the Python bootstrap's */
	int python;	 /* argv is the Python bootstrap's */
	char path[4096]; /* argv[0], found */
	int sv[2];	 /* the trace channel: mprof's end, the program's end */
	char **env;	 /* the environment, naming the program's end */
	int sfd;	 /* the signals we wait for */
	sigset_t old;	 /* the signal mask before */
	pid_t pid;
	mp_func_site *sites; /* --functions through uprobes: what to attach to */
	int nsites;
	struct mp_uprobes *uprobes;
	mp_ring ring;	 /* the trace ring, when ring_on */
	int ring_on;
	int give[2];	 /* the ring's and the kernel's rss words' fds for the program, or -1 */
};

/* With the kernel tracker (and no live view, which wants each bracket as it ends), the
 * emitters get the fast path (docs/trace-protocol.md): the kernel's rss words, and a ring
 * mprof reads at each sample. Best effort: without them they send, as always. The fds go to
 * the program without close-on-exec and are closed here once it runs. */
static void offer_ring(struct launch *l, const struct run_args *a, const mp_peaks *pk)
{
	l->give[0] = l->give[1] = -1;
	unsetenv(MPROF_TRACE_RING_ENV);
	unsetenv(MPROF_TRACE_RSS_ENV);
	if (pk->source != MP_PEAKS_BPF || a->live || mp_ring_open(&l->ring) < 0)
		return;
	int rss = mp_peak_bpf_rss_fd(pk->bpf);
	int ring = fcntl(l->ring.fd, F_DUPFD, 3);
	if (rss < 0 || ring < 0 || fcntl(rss, F_SETFD, 0) < 0) {
		if (rss >= 0)
			close(rss);
		if (ring >= 0)
			close(ring);
		mp_ring_close(&l->ring);
		return;
	}
	char text[16];
	snprintf(text, sizeof text, "%d", ring);
	setenv(MPROF_TRACE_RING_ENV, text, 1);
	snprintf(text, sizeof text, "%d", rss);
	setenv(MPROF_TRACE_RSS_ENV, text, 1);
	l->give[0] = ring;
	l->give[1] = rss;
	l->ring_on = 1;
}

static void close_given(struct launch *l)
{
	for (int i = 0; i < 2; i++)
		if (l->give[i] >= 0)
			close(l->give[i]);
	l->give[0] = l->give[1] = -1;
}

/* The command to exec: the user's, or the Python bootstrap's around it. */
static char **build_argv(const struct run_args *a, char **user, int *python)
{
	*python = mp_python_wanted(user[0], a->python, a->nopython);
	if (*python)
		return mp_python_argv(NULL, user);
	size_t n = 0;
	while (user[n])
		n++;
	char **v = calloc(n + 1, sizeof *v);
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (!(v[i] = strdup(user[i]))) {
			mp_python_argv_free(v);
			return NULL;
		}
	}
	return v;
}

/* Builds the command and finds its program, before any profile exists. Returns 0, or the exit
 * code after printing why (126/127 as a shell's, 1 for out of memory). */
static int find_program(struct launch *l, const struct run_args *a, char **user)
{
	memset(l, 0, sizeof *l);
	l->sv[0] = l->sv[1] = l->sfd = -1;
	if (!(l->argv = build_argv(a, user, &l->python))) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
	int rc = mp_spawn_resolve(l->argv[0], l->path, sizeof l->path);
	if (rc == 0)
		return 0;
	if (l->python && rc == -ENOENT)
		cli_error("cannot run '%s': Python is not installed (Debian: apt-get install "
			  "python3)", l->argv[0]);
	else
		cli_error("cannot run '%s': %s", l->argv[0],
			  rc == -EACCES ? "Permission denied" : strerror(-rc));
	mp_python_argv_free(l->argv);
	return rc == -EACCES ? 126 : 127;
}

/* --functions/--min-duration: how this program gets its brackets (docs/c-programs.md). Built
 * with -finstrument-functions: libmprof_instrument reads the environment. A script: the same
 * variables, for the instrumented programs it runs. Otherwise: the functions, found now for
 * uprobes. Returns 0, or the exit code after printing why not. */
static int plan_functions(struct launch *l, const struct run_args *a)
{
	if (!a->functions && !a->min_duration)
		return CLI_OK;
	if (l->python)
		return cli_usage_error("run", "--functions and --min-duration are for compiled "
					      "programs: Python functions get brackets with @profile");
	mp_program_info info;
	int rc = mp_program_inspect(l->path, &info);
	if (rc < 0 && rc != -ENOEXEC) {
		cli_error("cannot read '%s': %s", l->path, strerror(-rc));
		return CLI_FAIL;
	}
	if (rc == -ENOEXEC || info.instrumented) {
		if (rc == 0 && !info.has_symtab) {
			cli_error("cannot name the functions of '%s': it is stripped (no symbol "
				  "table); build it without -s and do not strip it", l->argv[0]);
			return CLI_FAIL;
		}
		if (a->functions)
			setenv(MPROF_FUNCTIONS_ENV, a->functions, 1);
		if (a->min_duration)
			setenv(MPROF_MIN_DURATION_ENV, a->min_duration, 1);
		return CLI_OK;
	}
	if (!a->functions)
		return cli_usage_error("run", "'%s' was not built with -finstrument-functions: name "
					      "the functions to bracket through uprobes with "
					      "--functions", l->argv[0]);
	mpi_filter f;
	if (mpi_filter_init(&f, a->functions, NULL) < 0) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
	rc = mp_funcs_find(l->path, &f, &l->sites);
	mpi_filter_release(&f);
	if (rc >= 0) {
		l->nsites = rc;
		return CLI_OK;
	}
	if (rc == -ENOENT && !info.has_symtab)
		cli_error("cannot find '%s' in '%s': it is stripped (no symbol table), so only its "
			  "exported functions and its libraries' can be named; use a build that is "
			  "not stripped", a->functions, l->argv[0]);
	else if (rc == -ENOENT)
		cli_error("no function of '%s' or of its libraries matches '%s'", l->argv[0],
			  a->functions);
	else if (rc == -E2BIG)
		cli_error("'%s' matches more than %d functions, too many for uprobes: narrow it, or "
			  "build '%s' with -finstrument-functions (docs/c-programs.md)", a->functions,
			  MP_FUNCS_MAX, l->argv[0]);
	else
		cli_error("cannot read the functions of '%s': %s", l->argv[0], strerror(-rc));
	return CLI_FAIL;
}

/* Loads the uprobes before the program starts, so that its first call is seen. */
static int open_uprobes(struct launch *l, const struct run_args *a)
{
	int fd = fcntl(l->sv[1], F_DUPFD_CLOEXEC, 3);
	int rc = fd < 0 ? -errno
			: mp_uprobes_open(&l->uprobes, l->sites, l->nsites, a->min_ns, fd);
	if (rc == 0)
		return 0;
	const char *why = rc == -ENOTSUP ? "mprof was built without eBPF, or the kernel has no BTF"
			  : rc == -EPERM || rc == -EACCES
				  ? "not allowed (needs root, or CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN)"
			  : rc == -ENOENT ? "the kernel has no uprobes (CONFIG_UPROBE_EVENTS)"
					  : strerror(-rc);
	cli_error("cannot bracket '%s' through uprobes: %s; or build '%s' with "
		  "-finstrument-functions and -lmprof_instrument (docs/c-programs.md)",
		  l->argv[0], why, l->argv[0]);
	return rc;
}

/* What the uprobe brackets could not record, said once at the end. */
static void report_uprobes(const struct launch *l, const struct run_args *a)
{
	unsigned long long dropped, gone;
	if (!l->uprobes || a->quiet)
		return;
	mp_uprobes_counts(l->uprobes, &dropped, &gone);
	if (dropped)
		cli_error("lost %llu uprobe bracket(s): the program called faster than mprof could "
			  "record", dropped);
	if (gone)
		fprintf(stderr, "mprof: %llu call(s) whose return was never seen (left by longjmp) "
				"are not in the profile\n", gone);
}

/* Opens the trace channel, blocks the signals we forward and starts the program. Returns 0,
 * or the exit code after printing why, having undone its own steps. */
static int start_program(struct launch *l, const struct run_args *a, const mp_peaks *pk)
{
	int rc, code = CLI_FAIL;
	/* The live view shows open brackets: the emitters send a B event at each begin. */
	if (a->live)
		setenv(MPROF_TRACE_BEGIN_ENV, "1", 1);
	if ((rc = mp_channel_open(l->sv)) < 0) {
		cli_error("cannot create the trace channel: %s", mp_strerror(rc));
		return CLI_FAIL;
	}
	offer_ring(l, a, pk);
	char fdtext[16];
	snprintf(fdtext, sizeof fdtext, "%d", l->sv[1]);
	if (!(l->env = mp_spawn_env(MPROF_TRACE_ENV, fdtext))) {
		cli_error("out of memory");
		goto fail_channel;
	}
	if (a->children || a->multiprocess)
		prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0, 0, 0);
	if (l->sites && open_uprobes(l, a) < 0)
		goto fail_env;
	rc = mp_spawn(l->path, l->argv, l->env, l->sv[1], &l->old, &l->pid);
	if (rc < 0) {
		cli_error("cannot run '%s': %s", l->argv[0], strerror(-rc));
		code = rc == -ENOENT ? 127 : 126;
		goto fail_uprobes;
	}
	if (l->uprobes && (rc = mp_uprobes_start(l->uprobes, l->pid)) < 0)
		cli_error("cannot forward the uprobe brackets: %s (sampling goes on)", strerror(-rc));
	close(l->sv[1]);
	l->sv[1] = -1;
	close_given(l);
	return 0;

fail_uprobes:
	mp_uprobes_free(l->uprobes);
	l->uprobes = NULL;
fail_env:
	mp_spawn_env_free(l->env);
fail_channel:
	close(l->sv[0]);
	if (l->sv[1] >= 0)
		close(l->sv[1]);
	close_given(l);
	if (l->ring_on)
		mp_ring_close(&l->ring);
	l->ring_on = 0;
	return code;
}

/* The CMDLINE: the user's command or, as memory_profiler writes it, the command as Python runs
 * it, interpreter first. */
static void write_cmdline(mp_dat *out, const struct launch *l, char **user)
{
	if (!l->python || mp_python_is_interpreter(user[0])) {
		mp_dat_cmdline(out, user);
		return;
	}
	size_t n = 0;
	while (user[n])
		n++;
	char **shown = calloc(n + 2, sizeof *shown);
	if (shown) {
		shown[0] = (char *)"python3";
		memcpy(shown + 1, user, n * sizeof *user);
		mp_dat_cmdline(out, shown);
		free(shown);
	}
}

static int do_run(const struct run_args *a, char **user, int sfd, const sigset_t *old)
{
	struct launch l;
	int code = find_program(&l, a, user);
	if (code != CLI_OK)
		return code;
	l.sfd = sfd;
	l.old = *old;
	if ((code = plan_functions(&l, a)) != CLI_OK) {
		mp_python_argv_free(l.argv);
		return code;
	}
	mp_peaks pk;
	if (open_peaks(a, &pk) < 0) {
		mp_funcs_free(l.sites, l.nsites);
		mp_python_argv_free(l.argv);
		return CLI_FAIL;
	}
	mp_dat out;
	char name[4096];
	if (open_profile(a, &out, name, sizeof name) < 0) {
		mp_peaks_release(&pk);
		mp_funcs_free(l.sites, l.nsites);
		mp_python_argv_free(l.argv);
		return CLI_FAIL;
	}
	if ((code = start_program(&l, a, &pk)) != CLI_OK) {
		mp_dat_close(&out);
		unlink(name); /* nothing ran: leave nothing behind */
		mp_peaks_release(&pk);
		mp_funcs_free(l.sites, l.nsites);
		mp_python_argv_free(l.argv);
		return code;
	}
	write_cmdline(&out, &l, user);
	write_meta(&out, a, l.pid, &pk);
	if (!a->quiet)
		fprintf(stderr, "mprof: sampling memory every %gs into %s\n", a->interval, name);
	mp_session_result r;
	int rc = run_session(a, &pk, l.pid, 1, l.sv[0], l.ring_on ? &l.ring : NULL, l.sfd, &out,
			     name, &r, &l.old, l.uprobes);
	report_uprobes(&l, a);
	mp_peaks_release(&pk);
	if (rc < 0) {
		cli_error("cannot sample process %d: %s", (int)l.pid, strerror(-rc));
		code = CLI_FAIL;
	} else {
		code = session_exit_code(&r, a, name);
	}
	close(l.sv[0]);
	mp_uprobes_free(l.uprobes);
	mp_funcs_free(l.sites, l.nsites);
	if (l.ring_on)
		mp_ring_close(&l.ring);
	mp_spawn_env_free(l.env);
	mp_python_argv_free(l.argv);
	rc = mp_dat_close(&out);
	if (rc < 0 && code != CLI_FAIL && !r.write_error) {
		cli_error("cannot write '%s': %s", name, strerror(-rc));
		code = CLI_FAIL;
	}
	return code;
}

static int run_main(int argc, char **argv, int attach)
{
	struct run_args a;
	int rc = CLI_OK;
	int first = parse_run_options(argc, argv, &a, attach, &rc);
	if (first < 0)
		return rc;
	if (attach)
		a.attach = 1;
	if (first >= argc)
		return cli_usage_error(argv[0], a.attach ? "which process? give a PID or a NAME"
							 : "no program given");
	if (a.attach) {
		if (a.peaks == MP_PEAKS_RESET)
			return cli_usage_error(argv[0], "--peaks=reset is not for attach: it would "
							 "change the process's own peak figures");
		if (argc - first > 1)
			return cli_usage_error(argv[0], "attach takes one PID or NAME, not '%s'",
					       argv[first + 1]);
	}
	if (a.live && (!isatty(1) || !isatty(0)))
		return cli_usage_error(argv[0], "--live draws on the terminal, and the standard %s "
						"is not one (without --live, mprof records the same "
						"profile)", isatty(1) ? "input" : "output");
	/* Signals first, before anything slow (loading the eBPF peak source takes a while): a
	 * SIGTERM sent to mprof as it starts waits for the session, which forwards it. Blocked,
	 * not ignored: a file size limit shows as a write error (EFBIG) and a closed stderr as
	 * EPIPE, while the program inherits its dispositions untouched. */
	sigset_t old;
	int sfd = mp_session_signals(&old);
	if (sfd < 0) {
		cli_error("cannot set up signals: %s", mp_strerror(sfd));
		return CLI_FAIL;
	}
	rc = a.attach ? do_attach(&a, argv[first], sfd) : do_run(&a, argv + first, sfd, &old);
	close(sfd);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	return run_main(argc, argv, 0);
}

int cmd_attach(int argc, char **argv)
{
	return run_main(argc, argv, 1);
}
