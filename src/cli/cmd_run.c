/* cmd_run.c - mprof run and mprof attach: parse the options, start (or find) the program,
 * open the profile, hand over to the sampler, pass the program's status through. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "channel.h"
#include "cli.h"
#include "dat.h"
#include "peak.h"
#include "proc.h"
#include "python.h"
#include "session.h"
#include "spawn.h"

struct run_args {
	double interval;
	double timeout;
	mp_backend backend;
	int python, nopython, children, multiprocess, attach, quiet;
	int peaks; /* --peaks: a mp_peak_source or MP_PEAKS_AUTO */
	const char *output;
};

static void run_help(const char *cmd)
{
	int attach = !strcmp(cmd, "attach");
	printf("Usage: mprof %s [options] %s\n\n", cmd,
	       attach ? "PID|NAME" : "PROGRAM [ARGS...]");
	if (attach)
		printf("Samples the memory of a running process, found by pid or by a name that its\n"
		       "process name contains (never mprof itself), until it exits.\n\n");
	else
		printf("Runs PROGRAM (without a shell) and samples its memory until it exits. A\n"
		       "PROGRAM ending in .py, or named python*, runs with a builtin @profile whose\n"
		       "brackets, and every run of Python's garbage collector, land in the profile.\n"
		       "Options come before PROGRAM; everything after it is PROGRAM's.\n\n");
	printf("Options:\n"
	       "  -T, --interval SECONDS   sampling period, default 0.1, at least 0.0001\n"
	       "  -o, --output FILE        profile to write, default mprofile_YYYYMMDDhhmmss.dat;\n"
	       "                           an existing FILE is replaced\n"
	       "  -t, --timeout SECONDS    stop sampling after this long (the program runs on)\n"
	       "  -C, --include-children   MEM is the sum over the whole process tree\n"
	       "  -M, --multiprocess       also a CHLD line per descendant process\n"
	       "      --backend NAME       rss (default), pss or uss; psutil, psutil_pss and\n"
	       "                           psutil_uss are accepted as their aliases\n"
	       "      --python             run PROGRAM as Python (any interpreter, or -m module)\n"
	       "      --nopython           run a .py PROGRAM directly, not under python3\n"
	       "  -E, --exit-code          accepted for compatibility: the exit status is always\n"
	       "                           the program's own (128+N when killed by signal N)\n"
	       "  -a, --attach             (run) attach to a running process instead\n"
	       "      --peaks MODE         where each interval's true peak comes from: auto\n"
	       "                           (default: bpf where allowed, else hwm), bpf, hwm (the\n"
	       "                           untouched VmHWM), none, or reset (run only: resets\n"
	       "                           VmHWM, which changes the program's own peak figures)\n"
	       "      --no-peaks           the same as --peaks=none\n"
	       "  -q, --quiet              print nothing but errors\n"
	       "  -h, --help               this help\n"
	       "      --version            mprof's version\n\n"
	       "Exit status: the program's own; 126/127 when it cannot be run; 1 when the\n"
	       "profile cannot be written; 2 for a usage error.\n");
}

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

/* Returns the index of the first non-option argument, or -1 after printing (exit code in
 * *rc). */
static int parse_run_options(int argc, char **argv, struct run_args *a, int *rc)
{
	enum { OPT_BACKEND = 256, OPT_PYTHON, OPT_NOPYTHON, OPT_VERSION, OPT_NO_PEAKS, OPT_PEAKS };
	static const struct option longopts[] = {
		{"interval", required_argument, NULL, 'T'},
		{"output", required_argument, NULL, 'o'},
		{"timeout", required_argument, NULL, 't'},
		{"include-children", no_argument, NULL, 'C'},
		{"multiprocess", no_argument, NULL, 'M'},
		{"exit-code", no_argument, NULL, 'E'},
		{"attach", no_argument, NULL, 'a'},
		{"backend", required_argument, NULL, OPT_BACKEND},
		{"python", no_argument, NULL, OPT_PYTHON},
		{"nopython", no_argument, NULL, OPT_NOPYTHON},
		{"no-peaks", no_argument, NULL, OPT_NO_PEAKS},
		{"peaks", required_argument, NULL, OPT_PEAKS},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	const char *cmd = argv[0];
	memset(a, 0, sizeof *a);
	a->interval = 0.1;
	a->backend = MP_BACKEND_RSS;
	a->peaks = MP_PEAKS_AUTO;
	optind = 1;
	opterr = 0;
	int c;
	/* '+': stop at the program, whose own options are its business. */
	while ((c = getopt_long(argc, argv, "+:T:o:t:CMEaqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'T':
			if (parse_seconds(optarg, 0.0001, &a->interval) < 0) {
				*rc = cli_usage_error(cmd, "invalid interval '%s': seconds, at least 0.0001",
						      optarg);
				return -1;
			}
			break;
		case 't':
			if (parse_seconds(optarg, 0, &a->timeout) < 0 || a->timeout <= 0) {
				*rc = cli_usage_error(cmd, "invalid timeout '%s': seconds, more than 0",
						      optarg);
				return -1;
			}
			break;
		case 'o':
			a->output = optarg;
			break;
		case 'C':
			a->children = 1;
			break;
		case 'M':
			a->multiprocess = 1;
			break;
		case 'E':
			break;
		case 'a':
			a->attach = 1;
			break;
		case 'q':
			a->quiet = 1;
			break;
		case OPT_BACKEND:
			if (mp_backend_parse(optarg, &a->backend) < 0) {
				*rc = cli_usage_error(cmd, "unknown backend '%s': use rss, pss or uss "
							   "(or psutil, psutil_pss, psutil_uss)", optarg);
				return -1;
			}
			break;
		case OPT_PYTHON:
			a->python = 1;
			break;
		case OPT_NOPYTHON:
			a->nopython = 1;
			break;
		case OPT_NO_PEAKS:
			a->peaks = MP_PEAKS_NONE;
			break;
		case OPT_PEAKS:
			if (mp_peaks_parse(optarg, &a->peaks) < 0) {
				*rc = cli_usage_error(cmd, "unknown peak source '%s': use auto, bpf, hwm, "
							   "reset or none", optarg);
				return -1;
			}
			break;
		case 'h':
			run_help(cmd);
			*rc = CLI_OK;
			return -1;
		case OPT_VERSION:
			cli_print_version();
			*rc = CLI_OK;
			return -1;
		case ':':
			*rc = cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
			return -1;
		default:
			*rc = cli_usage_error(cmd, "unknown or ambiguous option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	return optind;
}

/* Signals the sampler reads through a signalfd; blocked from before the program starts. */
static int block_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, old) < 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
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

struct name_match {
	const char *needle;
	pid_t found;
};

static int match_name(pid_t pid, void *ctx)
{
	struct name_match *m = ctx;
	char name[256];
	if (pid == getpid() || mp_proc_name(pid, name, sizeof name) < 0)
		return 0;
	if (!strstr(name, m->needle))
		return 0;
	m->found = pid;
	return 1;
}

static int do_attach(const struct run_args *a, const char *target)
{
	pid_t pid = 0;
	int by_pid = *target != 0;
	for (const char *s = target; *s; s++)
		if (!isdigit((unsigned char)*s))
			by_pid = 0;
	if (by_pid) {
		long v = strtol(target, NULL, 10);
		if (v <= 0 || v > 0x7fffffff || v == getpid()) {
			cli_error("cannot attach to '%s': %s", target,
				  v == getpid() ? "that is mprof itself" : "not a process id");
			return CLI_FAIL;
		}
		pid = (pid_t)v;
	} else {
		struct name_match m = {target, 0};
		mp_proc_each(match_name, &m);
		if (!m.found) {
			cli_error("cannot attach to '%s': no process has a name containing it", target);
			return CLI_FAIL;
		}
		pid = m.found;
	}
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
	sigset_t old;
	int sfd = block_signals(&old);
	if (sfd < 0) {
		cli_error("cannot set up signals: %s", strerror(errno));
		mp_dat_close(&out);
		mp_peaks_release(&pk);
		return CLI_FAIL;
	}
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	if (!a->quiet)
		fprintf(stderr, "mprof: attached to %d, sampling every %gs into %s\n", (int)pid,
			a->interval, name);
	struct write_ctx wc = {name};
	mp_session_opts o = {
		.interval = a->interval, .timeout = a->timeout, .backend = a->backend,
		.peaks = pk.source, .bpf = pk.bpf, .sum_children = a->children,
		.each_child = a->multiprocess, .pid = pid, .is_child = 0, .trace_fd = -1, .signal_fd = sfd, .out = &out,
		.on_write_error = on_write_error, .ctx = &wc,
	};
	mp_session_result r;
	rc = mp_session_run(&o, &r);
	mp_peaks_release(&pk);
	int close_rc = mp_dat_close(&out);
	close(sfd);
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

static int do_run(const struct run_args *a, char **user)
{
	int python, rc;
	char **argv = build_argv(a, user, &python);
	if (!argv) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
	char path[4096];
	rc = mp_spawn_resolve(argv[0], path, sizeof path);
	if (rc < 0) {
		if (python && rc == -ENOENT)
			cli_error("cannot run '%s': Python is not installed (Debian: apt-get install "
				  "python3)", argv[0]);
		else
			cli_error("cannot run '%s': %s", argv[0],
				  rc == -EACCES ? "Permission denied" : strerror(-rc));
		mp_python_argv_free(argv);
		return rc == -EACCES ? 126 : 127;
	}

	mp_peaks pk;
	if (open_peaks(a, &pk) < 0) {
		mp_python_argv_free(argv);
		return CLI_FAIL;
	}
	mp_dat out;
	char name[4096];
	if (open_profile(a, &out, name, sizeof name) < 0) {
		mp_peaks_release(&pk);
		mp_python_argv_free(argv);
		return CLI_FAIL;
	}
	int sv[2] = {-1, -1}, sfd = -1;
	char **env = NULL;
	sigset_t old;
	int code = CLI_FAIL;
	if ((rc = mp_channel_open(sv)) < 0) {
		cli_error("cannot create the trace channel: %s", mp_strerror(rc));
		goto fail_profile;
	}
	char fdtext[16];
	snprintf(fdtext, sizeof fdtext, "%d", sv[1]);
	if (!(env = mp_spawn_env(MPROF_TRACE_ENV, fdtext))) {
		cli_error("out of memory");
		goto fail_channel;
	}
	/* A file size limit must show as a write error (EFBIG), not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	if ((sfd = block_signals(&old)) < 0) {
		cli_error("cannot set up signals: %s", strerror(errno));
		goto fail_env;
	}
	if (a->children || a->multiprocess)
		prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0, 0, 0);

	pid_t pid;
	rc = mp_spawn(path, argv, env, sv[1], &old, &pid);
	if (rc < 0) {
		cli_error("cannot run '%s': %s", argv[0], strerror(-rc));
		code = rc == -ENOENT ? 127 : 126;
		goto fail_signals;
	}
	close(sv[1]);
	sv[1] = -1;
	/* Wake on time even at 0.1 ms; set after the fork, since children inherit it. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

	if (python && !mp_python_is_interpreter(user[0])) {
		/* As memory_profiler does: the command as Python runs it, interpreter first. */
		size_t n = 0;
		while (user[n])
			n++;
		char **shown = calloc(n + 2, sizeof *shown);
		if (shown) {
			shown[0] = (char *)"python3";
			memcpy(shown + 1, user, n * sizeof *user);
			mp_dat_cmdline(&out, shown);
			free(shown);
		}
	} else {
		mp_dat_cmdline(&out, user);
	}
	write_meta(&out, a, pid, &pk);
	if (!a->quiet)
		fprintf(stderr, "mprof: sampling memory every %gs into %s\n", a->interval, name);
	struct write_ctx wc = {name};
	mp_session_opts o = {
		.interval = a->interval, .timeout = a->timeout, .backend = a->backend,
		.peaks = pk.source, .bpf = pk.bpf, .sum_children = a->children,
		.each_child = a->multiprocess, .pid = pid, .is_child = 1, .trace_fd = sv[0], .signal_fd = sfd, .out = &out,
		.on_write_error = on_write_error, .ctx = &wc,
	};
	mp_session_result r;
	rc = mp_session_run(&o, &r);
	if (rc < 0) {
		cli_error("cannot sample process %d: %s", (int)pid, strerror(-rc));
		code = CLI_FAIL;
	} else {
		code = session_exit_code(&r, a, name);
	}
	close(sfd);
	close(sv[0]);
	mp_peaks_release(&pk);
	mp_spawn_env_free(env);
	mp_python_argv_free(argv);
	rc = mp_dat_close(&out);
	if (rc < 0 && code != CLI_FAIL && !r.write_error) {
		cli_error("cannot write '%s': %s", name, strerror(-rc));
		code = CLI_FAIL;
	}
	return code;

fail_signals:
	close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
fail_env:
	mp_spawn_env_free(env);
fail_channel:
	close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
fail_profile:
	mp_dat_close(&out);
	mp_peaks_release(&pk);
	unlink(name); /* nothing ran: leave nothing behind */
	mp_python_argv_free(argv);
	return code;
}

static int run_main(int argc, char **argv, int attach)
{
	struct run_args a;
	int rc = CLI_OK;
	int first = parse_run_options(argc, argv, &a, &rc);
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
		return do_attach(&a, argv[first]);
	}
	return do_run(&a, argv + first);
}

int cmd_run(int argc, char **argv)
{
	return run_main(argc, argv, 0);
}

int cmd_attach(int argc, char **argv)
{
	return run_main(argc, argv, 1);
}
