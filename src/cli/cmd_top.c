/* cmd_top.c - mprof top (the mprof-live executable): the live view of a profile being written,
 * followed as it grows, or of a finished one replayed at a chosen speed; and the view that
 * `mprof run --live` starts beside its recording (--feed).
 *
 * The profile is read only through the one reader (mp_profile_parse), a chunk of whole lines
 * at a time: a line still being written is left for the next read. Five redraws a second;
 * nothing here samples or writes a profile.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "dat.h"
#include "live.h"
#include "view.h"

#define FRAME_MS 200
#define CHUNK_MAX (8u << 20)

struct top_args {
	double speed;  /* replay at this speed; 0: follow */
	double window; /* seconds on the chart */
	int feed_fd;   /* mprof run --live's feed, or -1 */
};

static double now_real(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int parse_pos(const char *s, double min, double max, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int opt_speed(const cli_option *opt, const char *arg, const char *cmd)
{
	if (parse_pos(arg, 0.01, 10000, opt->target) < 0)
		return cli_usage_error(cmd, "invalid speed '%s': from 0.01 to 10000", arg);
	return 0;
}

static int opt_window(const cli_option *opt, const char *arg, const char *cmd)
{
	if (parse_pos(arg, 1, 86400, opt->target) < 0)
		return cli_usage_error(cmd, "invalid window '%s': seconds, from 1 to 86400", arg);
	return 0;
}

static int opt_feed(const cli_option *opt, const char *arg, const char *cmd)
{
	double v;
	if (parse_pos(arg, 0, 1000000, &v) < 0 || v != floor(v))
		return cli_usage_error(cmd, "invalid descriptor '%s'", arg);
	*(int *)opt->target = (int)v;
	return 0;
}

/* Follows a file: what was appended since the last read, up to its last newline. */
struct follow {
	int fd;
	char *buf;
	size_t len, cap;
	unsigned long bad_chunks;
};

static void follow_read(struct follow *f, mp_live *m)
{
	for (;;) {
		if (f->cap - f->len < 65536) {
			size_t ncap = f->cap ? f->cap * 2 : 1u << 20;
			char *nb = ncap <= CHUNK_MAX * 2 ? realloc(f->buf, ncap) : NULL;
			if (!nb)
				return;
			f->buf = nb;
			f->cap = ncap;
		}
		ssize_t n = read(f->fd, f->buf + f->len, f->cap - f->len);
		if (n <= 0)
			break;
		f->len += (size_t)n;
		if (f->len >= CHUNK_MAX)
			break;
	}
	char *nl = f->len ? memrchr(f->buf, '\n', f->len) : NULL;
	if (!nl) {
		if (f->len >= CHUNK_MAX)
			f->len = 0; /* no newline in 8 MiB: not a profile line; dropped */
		return;
	}
	size_t whole = (size_t)(nl - f->buf) + 1;
	mp_profile p;
	if (mp_profile_parse(&p, f->buf, whole, NULL) == 0) {
		mp_live_add_profile(m, &p);
		mp_profile_release(&p);
	} else {
		f->bad_chunks++;
	}
	memmove(f->buf, f->buf + whole, f->len - whole);
	f->len -= whole;
}

/* The feed of `mprof run --live`: B and C lines (live.h). Returns 1 at its end. */
static int feed_read(int fd, char *buf, size_t *len, size_t cap, mp_live *m)
{
	for (;;) {
		ssize_t n = read(fd, buf + *len, cap - *len);
		if (n == 0)
			return 1;
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : 1;
		*len += (size_t)n;
		size_t start = 0;
		for (size_t i = 0; i < *len; i++) {
			if (buf[i] != '\n')
				continue;
			mp_live_add_feed_line(m, buf + start, i - start);
			start = i + 1;
		}
		memmove(buf, buf + start, *len - start);
		*len -= start;
		if (*len == cap)
			*len = 0; /* an over-long line: dropped */
	}
}

/* Replays a whole profile by its clock: what had happened by `vt` goes into the model. */
struct replay {
	mp_profile p;
	size_t mem, peak, call, gc, exit_done;
	size_t *open; /* calls begun and not yet ended */
	size_t nopen;
};

static void replay_to(struct replay *r, mp_live *m, double vt)
{
	const mp_profile *p = &r->p;
	for (; r->mem < p->nmem && p->mem[r->mem].t <= vt; r->mem++)
		mp_live_add_sample(m, p->mem[r->mem].t, p->mem[r->mem].mem);
	for (; r->peak < p->npeaks && p->peaks[r->peak].t <= vt; r->peak++)
		mp_live_add_peak(m, p->peaks[r->peak].t, p->peaks[r->peak].mem);
	for (; r->call < p->ncalls && p->calls[r->call].t0 <= vt; r->call++) {
		const mp_call *c = &p->calls[r->call];
		if (c->pid == 0 && c->level >= 0) {
			char line[256];
			int n = snprintf(line, sizeof line, "B %ld %d %.6f %lld %s", m->pid, c->level,
					 c->t0, (long long)(c->m0 * 1048576.0), p->fnames[c->fn]);
			if (m->pid && n > 0)
				mp_live_add_feed_line(m, line, (size_t)(n < (int)sizeof line ? n : (int)sizeof line - 1));
		}
		r->open[r->nopen++] = r->call;
	}
	for (size_t i = 0; i < r->nopen;) {
		const mp_call *c = &p->calls[r->open[i]];
		if (c->t1 > vt) {
			i++;
			continue;
		}
		mp_live_add_call(m, p->fnames[c->fn], c->level, c->pid, c->t0, c->m0, c->t1, c->m1);
		r->open[i] = r->open[--r->nopen];
	}
	for (; r->gc < p->ngcs && p->gcs[r->gc].t0 <= vt; r->gc++)
		mp_live_add_gc(m, &p->gcs[r->gc]);
	for (size_t i = 0; i < p->nchildren; i++)
		for (size_t k = 0; k < p->children[i].n; k++)
			if (p->children[i].pts[k].t <= vt &&
			    p->children[i].pts[k].t > vt - 1.0)
				mp_live_add_child(m, p->children[i].pid, p->children[i].pts[k].t,
						  p->children[i].pts[k].mem);
	if (!r->exit_done && p->has_exit && p->exit_t <= vt) {
		mp_live_add_exit(m, p->exit_status, p->exit_t);
		r->exit_done = 1;
	}
}

static void state_word(char *buf, size_t cap, const mp_live *m, const struct top_args *a,
		       int stale)
{
	if (m->exited)
		snprintf(buf, cap, "exited %d", m->status);
	else if (a->speed > 0)
		snprintf(buf, cap, "replay x%g", a->speed);
	else
		snprintf(buf, cap, "%s", stale ? "stale" : "running");
}

static int view_loop(const struct top_args *a, mp_live *m, struct follow *f, struct replay *r)
{
	mp_live_view v = {.window = a->window};
	if (mp_live_view_open(&v) < 0) {
		cli_error("cannot draw on this terminal (TERM=%s)", getenv("TERM") ? getenv("TERM") : "");
		return CLI_FAIL;
	}
	char feed[8192];
	size_t feed_len = 0;
	int feed_done = a->feed_fd < 0;
	double start = now_real(), last_full = start, vt0 = r ? r->p.t_first : 0;
	double next_frame = start; /* frames on a clock: feed lines arriving do not draw one */
	int rc = CLI_OK;
	for (;;) {
		struct pollfd pfd[2] = {{.fd = 0, .events = POLLIN}, {.fd = -1, .events = POLLIN}};
		if (!feed_done)
			pfd[1].fd = a->feed_fd;
		int k = mp_live_view_keys(&v);
		if (k == MP_LIVE_KEY_QUIT)
			break;
		if (!feed_done && feed_read(a->feed_fd, feed, &feed_len, sizeof feed, m))
			feed_done = 1;
		double now = now_real(), shown;
		if (now < next_frame && k != MP_LIVE_KEY_REDRAW && !feed_done) {
			double before = now;
			if (poll(pfd, 2, (int)((next_frame - now) * 1000) + 1) > 0 &&
			    (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
				break; /* the terminal is gone */
			if (r && v.paused)
				start += now_real() - before; /* the replay's clock stands still */
			continue;
		}
		next_frame = now + FRAME_MS / 1000.0;
		if (r) {
			if (!v.paused)
				replay_to(r, m, vt0 + (now - start) * a->speed);
			shown = vt0 + (now - start) * a->speed;
			if (r->p.t_last && shown > r->p.t_last)
				shown = r->p.t_last;
		} else {
			follow_read(f, m);
			shown = now;
		}
		/* A file that stopped growing is shown at its last moment, not scrolled away. */
		double interval = m->samples > 1 ? (m->t_last - m->t_first) / (m->samples - 1) : 0.1;
		int stale = !r && m->t_last && now - m->t_last > 2 + 3 * interval;
		if (!r && (m->exited || stale))
			shown = m->t_last;
		if (m->exited && m->exit_t > shown)
			shown = m->exit_t;
		/* The program's own output may have written over the picture: all of it, once a
		 * second. */
		if (now - last_full >= 1.0) {
			v.redraw_all = 1;
			last_full = now;
		}
		if (!v.paused || k == MP_LIVE_KEY_REDRAW) {
			char st[32];
			state_word(st, sizeof st, m, a, stale);
			mp_live_view_draw(&v, m, shown, st);
		}
		if (a->feed_fd >= 0 && feed_done) {
			follow_read(f, m); /* the recording ended: its last lines, then we go */
			break;
		}
		double before = now_real();
		if (poll(pfd, 2, FRAME_MS) > 0 && (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
			break;
		if (r && v.paused)
			start += now_real() - before; /* the replay's clock stands still */
	}
	mp_live_view_close(&v);
	return rc;
}

int cmd_top(int argc, char **argv)
{
	struct top_args a = {.speed = 0, .window = 30, .feed_fd = -1};
	const cli_option options[] = {
		CLI_CALLBACK(0, "speed", "X", &a.speed, opt_speed,
			     "replay the profile from its start, X times as fast as\n"
			     "it was recorded (without it: show it and follow it as\n"
			     "it grows)"),
		CLI_CALLBACK('w', "window", "SECONDS", &a.window, opt_window,
			     "seconds the chart shows at first (default 30; + and -\n"
			     "change it)"),
		CLI_CALLBACK(0, "feed", "FD", &a.feed_fd, opt_feed,
			     "(for mprof run --live) read the open brackets from FD;\n"
			     "end when it closes"),
		CLI_HELP,
		CLI_VERSION,
		CLI_END,
	};
	const cli_parser parser = {
		options,
		"Usage: mprof top [options] [FILE.dat|INDEX]\n\n"
		"Shows a profile full-screen as it is written by another mprof (followed as it\n"
		"grows), or replays a finished one (--speed). Without FILE: the newest\n"
		"mprofile_*.dat here. Keys: q quit, p pause, + and - the time window, m the\n"
		"largest processes of the tree.\n",
		"Exit status: 0; 1 when the profile cannot be read; 2 for a usage error or when\n"
		"the standard output is not a terminal.\n",
		1,
	};
	int rc = CLI_OK;
	int first = cli_parse_options(&parser, argc, argv, &rc);
	if (first < 0)
		return rc;
	if (argc - first > 1)
		return cli_usage_error(argv[0], "one profile at a time, not '%s'", argv[first + 1]);
	if (!isatty(1) || !isatty(0))
		return cli_usage_error(argv[0], "the live view needs a terminal: the standard %s is "
					     "not one (mprof export reads profiles for scripts)",
				       isatty(1) ? "input" : "output");
	cli_profiles prof;
	if (cli_profiles_resolve(&prof, argc - first, argv + first, 0) != CLI_OK)
		return CLI_FAIL;
	const char *path = prof.count ? prof.paths[0] : NULL;
	if (!path) {
		cli_profiles_release(&prof);
		cli_error("no profile to show");
		return CLI_FAIL;
	}
	mp_live *m = mp_live_new();
	if (!m) {
		cli_profiles_release(&prof);
		cli_error("out of memory");
		return CLI_FAIL;
	}
	if (a.feed_fd >= 0) {
		fcntl(a.feed_fd, F_SETFL, fcntl(a.feed_fd, F_GETFL) | O_NONBLOCK);
		/* ^C is the program's: the view ends when the recording does, or on q. */
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
	}
	struct follow f = {.fd = -1};
	struct replay r;
	int replay = a.speed > 0;
	memset(&r, 0, sizeof r);
	if (replay) {
		mp_dat_error e;
		rc = mp_profile_read(&r.p, path, &e);
		if (rc == 0 && !(r.open = calloc(r.p.ncalls + 1, sizeof *r.open)))
			rc = -ENOMEM;
		if (rc < 0) {
			if (e.line)
				cli_error("%s:%zu: %s", path, e.line, e.what);
			else
				cli_error("cannot read '%s': %s", path, mp_strerror(rc));
			rc = CLI_FAIL;
			goto out;
		}
		if (r.p.cmdline)
			snprintf(m->cmdline, sizeof m->cmdline, "%s", r.p.cmdline);
		m->pid = r.p.meta.pid;
	} else if ((f.fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		cli_error("cannot open '%s': %s", path, strerror(errno));
		rc = CLI_FAIL;
		goto out;
	}
	rc = view_loop(&a, m, replay ? NULL : &f, replay ? &r : NULL);
	if (f.bad_chunks)
		cli_error("'%s': %lu chunk(s) could not be read and are not shown", path,
			  f.bad_chunks);
out:
	if (f.fd >= 0)
		close(f.fd);
	free(f.buf);
	if (replay) {
		free(r.open);
		mp_profile_release(&r.p);
	}
	mp_live_free(m);
	cli_profiles_release(&prof);
	return rc;
}
