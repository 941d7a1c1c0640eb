/* run_status.c - the status line and the live view's feed of `mprof run` (run_status.h).
 *
 * The feeds run on the session's thread: they copy a few numbers (under a mutex the line's
 * thread holds only to read them) or append to a buffer, and return. The line is drawn with
 * "\r" and the terminal's erase-to-end-of-line, cut to the terminal's width so that it never
 * wraps (a wrapped line could not be redrawn in place).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "channel.h"
#include "run_status.h"

#define STATUS_PERIOD_NS 250000000L /* 4 times a second at most */
#define FEED_FLUSH_NS 50000000LL
#define TREE_PERIOD_S 0.1

static double mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void status_sample(void *ctx, long long mem, long long max_peak, const struct timespec *t)
{
	(void)t;
	run_status *st = ctx;
	pthread_mutex_lock(&st->lock);
	st->samples++;
	st->mem = mem;
	st->peak = max_peak > mem ? max_peak : mem;
	pthread_mutex_unlock(&st->lock);
}

static void status_event(void *ctx, const mp_event *ev)
{
	run_status *st = ctx;
	if (ev->type != 'G')
		return;
	pthread_mutex_lock(&st->lock);
	st->gc_runs++;
	pthread_mutex_unlock(&st->lock);
}

static void draw_line(run_status *st)
{
	char line[256];
	pthread_mutex_lock(&st->lock);
	int n = snprintf(line, sizeof line,
			 "mprof: %.1fs  %llu samples  mem %.1f MiB  peak %.1f MiB  GC %lu",
			 mono_s() - st->start, st->samples, (double)st->mem / 1048576.0,
			 (double)st->peak / 1048576.0, st->gc_runs);
	pthread_mutex_unlock(&st->lock);
	struct winsize ws;
	int width = ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 ? ws.ws_col - 1 : 79;
	if (n > width)
		n = width;
	fprintf(stderr, "\r%.*s\033[K", n, line);
	fflush(stderr);
}

static void *status_thread(void *arg)
{
	run_status *st = arg;
	pthread_mutex_lock(&st->lock);
	while (!st->stop) {
		pthread_mutex_unlock(&st->lock);
		draw_line(st);
		pthread_mutex_lock(&st->lock);
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += STATUS_PERIOD_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!st->stop &&
		       pthread_cond_timedwait(&st->wake, &st->lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&st->lock);
	return NULL;
}

int run_status_start(run_status *st)
{
	memset(st, 0, sizeof st->feed);
	st->feed.sample = status_sample;
	st->feed.event = status_event;
	st->feed.ctx = st;
	st->stop = 0;
	st->samples = 0;
	st->mem = st->peak = 0;
	st->gc_runs = 0;
	st->start = mono_s();
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->wake, &ca);
	pthread_condattr_destroy(&ca);
	int rc = pthread_create(&st->thread, NULL, status_thread, st);
	st->running = rc == 0;
	return -rc;
}

void run_status_stop(run_status *st)
{
	if (!st->running)
		return;
	pthread_mutex_lock(&st->lock);
	st->stop = 1;
	pthread_cond_signal(&st->wake);
	pthread_mutex_unlock(&st->lock);
	pthread_join(st->thread, NULL);
	st->running = 0;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	pthread_cond_destroy(&st->wake);
	pthread_mutex_destroy(&st->lock);
}

static long long mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

void run_live_feed_flush(run_live_feed *lf)
{
	size_t off = 0;
	while (off < lf->len) {
		ssize_t n = write(lf->fd, lf->buf + off, lf->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			lf->dropped++; /* the view is behind, or gone: it misses this, nothing else */
			break;
		}
		off += (size_t)n;
	}
	lf->len = 0;
	lf->last_flush = mono_ns();
}

static void put_line(run_live_feed *lf, const char *fmt_line, int n)
{
	if (n <= 0)
		return;
	if ((size_t)n > sizeof lf->buf - lf->len)
		run_live_feed_flush(lf);
	if ((size_t)n <= sizeof lf->buf - lf->len) {
		memcpy(lf->buf + lf->len, fmt_line, (size_t)n);
		lf->len += (size_t)n;
	}
}

/* The open brackets as they stand, outermost first: each a B line (the view rebuilds its
 * stack from them; their ends reach it through the profile's FUNC lines). */
static void put_stack(run_live_feed *lf)
{
	for (int i = 0; i < lf->depth; i++) {
		char line[MP_EVENT_MAX + 96];
		int n = snprintf(line, sizeof line, "B %d %d %lld.%09ld %lld %.*s\n", (int)lf->pid, i,
				 (long long)lf->open[i].t0.tv_sec, lf->open[i].t0.tv_nsec,
				 lf->open[i].rss, (int)lf->open[i].len, lf->open[i].name);
		put_line(lf, line, n < (int)sizeof line ? n : (int)sizeof line - 1);
	}
	lf->changed = 0;
}

static void maybe_flush(run_live_feed *lf)
{
	if ((lf->len || lf->changed) && mono_ns() - lf->last_flush >= FEED_FLUSH_NS) {
		if (lf->changed)
			put_stack(lf);
		run_live_feed_flush(lf);
	}
}

static void live_event(void *ctx, const mp_event *ev)
{
	run_live_feed *lf = ctx;
	if (ev->pid == lf->pid && ev->level >= 0) {
		if (ev->type == 'B' && ev->level < RUN_FEED_STACK && ev->level <= lf->depth) {
			/* Deeper than kept, or its parent's B lost: not shown, as the view would not. */
			size_t len = ev->name_len < MP_EVENT_MAX ? ev->name_len : MP_EVENT_MAX;
			lf->open[ev->level].t0 = ev->t0;
			lf->open[ev->level].rss = ev->rss0;
			lf->open[ev->level].len = len;
			memcpy(lf->open[ev->level].name, ev->name, len);
			lf->depth = ev->level + 1;
			lf->changed = 1;
		} else if (ev->type == 'F' && ev->level < lf->depth) {
			lf->depth = ev->level;
		}
	}
	maybe_flush(lf);
}

static void live_child(void *ctx, pid_t pid, long long mem, const struct timespec *t)
{
	run_live_feed *lf = ctx;
	if (!lf->tree)
		return;
	/* The view redraws 5 times a second: the tree's members are sent with one sample in
	 * TREE_PERIOD_S of sample time, not with each (4 members at -T 0.001 would be 4,000
	 * lines a second for the view to read). The sample's own time decides: no clock read. */
	double ts = (double)t->tv_sec + t->tv_nsec / 1e9;
	if (ts != lf->tree_batch) {
		lf->tree_batch = ts;
		lf->tree_on = ts - lf->tree_sent >= TREE_PERIOD_S || ts < lf->tree_sent;
		if (lf->tree_on)
			lf->tree_sent = ts;
	}
	if (!lf->tree_on)
		return;
	char line[96];
	int n = snprintf(line, sizeof line, "C %d %lld %lld.%09ld\n", (int)pid, mem,
			 (long long)t->tv_sec, t->tv_nsec);
	put_line(lf, line, n);
}

static void live_sample(void *ctx, long long mem, long long max_peak, const struct timespec *t)
{
	(void)mem;
	(void)max_peak;
	(void)t;
	maybe_flush(ctx);
}

void run_live_feed_init(run_live_feed *lf, int fd, int tree, pid_t pid)
{
	memset(lf, 0, offsetof(run_live_feed, buf));
	lf->fd = fd;
	lf->tree = tree;
	lf->pid = pid;
	lf->feed.sample = live_sample;
	lf->feed.child = live_child;
	lf->feed.event = live_event;
	lf->feed.ctx = lf;
}
