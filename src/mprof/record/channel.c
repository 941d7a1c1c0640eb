/* channel.c - the trace channel: created here, its byte stream split into events.
 *
 * Invariant: c->buf[0..len) holds the start of one unfinished line, never a newline; while
 * `skipping`, that line was already too long and is being thrown away to its newline.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "channel.h"
#include "dat.h"

int mp_channel_open(int fds[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
		return -errno;
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	shutdown(fds[0], SHUT_WR);
	/* Room for bursts between drains: a small event takes about 1 KiB of the buffer. Root
	 * may go past the system's cap; others get what the cap allows. */
	int sndbuf = 4 << 20;
	if (setsockopt(fds[1], SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf) < 0)
		setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	return 0;
}

void mp_channel_init(mp_channel *c, int fd)
{
	memset(c, 0, sizeof *c - sizeof c->buf);
	c->fd = fd;
}

/* A cursor over one line's space-separated fields. */
struct cur {
	const char *p, *end;
};

static int field_int(struct cur *c, long long *out)
{
	const char *p = c->p;
	int neg = 0;
	if (p < c->end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p >= c->end || *p < '0' || *p > '9')
		return -1;
	long long v = 0;
	for (; p < c->end && *p >= '0' && *p <= '9'; p++) {
		if (v > (9223372036854775807LL - 9) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (p < c->end && *p != ' ')
		return -1;
	c->p = p < c->end ? p + 1 : p;
	*out = neg ? -v : v;
	return 0;
}

static int field_time(struct cur *c, struct timespec *t)
{
	const char *p = c->p;
	long long s = 0;
	if (p >= c->end || *p < '0' || *p > '9')
		return -1;
	for (; p < c->end && *p >= '0' && *p <= '9'; p++) {
		if (s > 1000000000000LL)
			return -1;
		s = s * 10 + (*p - '0');
	}
	long ns = 0;
	if (p < c->end && *p == '.') {
		long scale = 100000000;
		for (p++; p < c->end && *p >= '0' && *p <= '9'; p++) {
			ns += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if (p < c->end && *p != ' ')
		return -1;
	c->p = p < c->end ? p + 1 : p;
	t->tv_sec = (time_t)s;
	t->tv_nsec = ns;
	return 0;
}

/* A time in integer nanoseconds since the epoch (event E), within field_time's range. */
static int field_ns(struct cur *c, struct timespec *t)
{
	long long v;
	if (c->p < c->end && *c->p == '-')
		return -1;
	if (field_int(c, &v) < 0 || v / 1000000000LL > 1000000000000LL)
		return -1;
	t->tv_sec = (time_t)(v / 1000000000LL);
	t->tv_nsec = (long)(v % 1000000000LL);
	return 0;
}

/* A memory field in bytes: -1 (unknown) up to MP_DAT_MEM_MAX. */
static int field_mem(struct cur *c, long long *out)
{
	if (field_int(c, out) < 0 || *out < -1 || *out > MP_DAT_MEM_MAX)
		return -1;
	return 0;
}

static int field_small(struct cur *c, long lo, long hi, long *out)
{
	long long v;
	if (field_int(c, &v) < 0 || v < lo || v > hi)
		return -1;
	*out = (long)v;
	return 0;
}

/* The grammar of docs/trace-protocol.md; -1 for anything else. */
static int parse_event(const char *line, size_t len, mp_event *ev)
{
	struct cur c = {line, line + len};
	if (len < 3 || line[1] != ' ')
		return -1;
	memset(ev, 0, sizeof *ev);
	ev->type = line[0];
	c.p += 2;
	long v;
	if (field_small(&c, 1, MP_DAT_PID_MAX, &v) < 0)
		return -1;
	ev->pid = (pid_t)v;
	switch (ev->type) {
	case 'F':
		if (field_small(&c, 0, MP_DAT_LEVEL_MAX, &v) < 0)
			return -1;
		ev->level = (int)v;
		if (field_time(&c, &ev->t0) < 0 || field_mem(&c, &ev->rss0) < 0 ||
		    field_time(&c, &ev->t1) < 0 || field_mem(&c, &ev->rss1) < 0)
			return -1;
		break;
	case 'E': /* F with times in integer nanoseconds: cheaper to write */
		ev->type = 'F';
		if (field_small(&c, 0, MP_DAT_LEVEL_MAX, &v) < 0)
			return -1;
		ev->level = (int)v;
		if (field_ns(&c, &ev->t0) < 0 || field_mem(&c, &ev->rss0) < 0 ||
		    field_ns(&c, &ev->t1) < 0 || field_mem(&c, &ev->rss1) < 0)
			return -1;
		break;
	case 'M':
		if (field_time(&c, &ev->t0) < 0 || field_mem(&c, &ev->rss0) < 0)
			return -1;
		break;
	case 'B':
		if (field_small(&c, 0, MP_DAT_LEVEL_MAX, &v) < 0)
			return -1;
		ev->level = (int)v;
		if (field_time(&c, &ev->t0) < 0 || field_mem(&c, &ev->rss0) < 0)
			return -1;
		break;
	case 'G': {
		long long col, unc, cand;
		if (field_small(&c, 0, MP_DAT_GEN_MAX, &v) < 0)
			return -1;
		ev->gen = (int)v;
		if (field_time(&c, &ev->t0) < 0 || field_mem(&c, &ev->rss0) < 0 ||
		    field_time(&c, &ev->t1) < 0 || field_mem(&c, &ev->rss1) < 0 ||
		    field_int(&c, &col) < 0 || field_int(&c, &unc) < 0 || field_int(&c, &cand) < 0)
			return -1;
		/* The reader's limits: a count it would refuse is never written. */
		if (col < 0 || col > MP_DAT_COUNT_MAX || unc < 0 || unc > MP_DAT_COUNT_MAX ||
		    cand < -1 || cand > MP_DAT_COUNT_MAX)
			return -1;
		if (c.p != c.end)
			return -1;
		ev->collected = (long)col;
		ev->uncollectable = (long)unc;
		ev->candidates = (long)cand;
		return 0;
	}
	default:
		return -1;
	}
	/* F (and E), M and B: the name is the rest of the line, and must not be empty. */
	if (c.p >= c.end || c.p[-1] != ' ')
		return -1;
	ev->name = c.p;
	ev->name_len = (size_t)(c.end - c.p);
	return 0;
}

int mp_event_parse(const char *line, size_t len, mp_event *ev)
{
	return parse_event(line, len, ev) < 0 ? MP_EBADEVENT : 0;
}

static void deliver(mp_channel *c, const char *line, size_t len,
		    void (*fn)(const mp_event *, void *), void *ctx)
{
	mp_event ev;
	if (len > MP_EVENT_MAX - 1 || mp_event_parse(line, len, &ev) < 0) {
		c->bad++;
		return;
	}
	c->events++;
	fn(&ev, ctx);
}

int mp_channel_drain(mp_channel *c, size_t budget,
		     void (*fn)(const mp_event *ev, void *ctx), void *ctx)
{
	size_t taken = 0;
	for (;;) {
		if (taken >= budget)
			return 1; /* more may be waiting: the caller comes back */
		size_t want = sizeof c->buf - c->len;
		if (want > budget - taken)
			want = budget - taken;
		ssize_t n = read(c->fd, c->buf + c->len, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -errno;
		}
		taken += (size_t)n;
		c->bytes += (unsigned long long)n;
		if (n == 0) {
			c->eof = 1;
			if (c->len && !c->skipping)
				c->bad++; /* an unfinished last line */
			c->len = 0;
			return 0;
		}
		size_t end = c->len + (size_t)n, start = 0;
		for (size_t i = c->len; i < end; i++) {
			if (c->buf[i] != '\n')
				continue;
			if (c->skipping)
				c->skipping = 0;
			else
				deliver(c, c->buf + start, i - start, fn, ctx);
			start = i + 1;
		}
		c->len = end - start;
		memmove(c->buf, c->buf + start, c->len);
		if (c->len >= MP_EVENT_MAX) { /* no newline within an event's length */
			if (!c->skipping)
				c->bad++;
			c->skipping = 1;
			c->len = 0;
		}
	}
}
