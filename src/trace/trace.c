/* trace.c - the emitter side of the trace channel (docs/trace-protocol.md).
 *
 * Invariants:
 * - mprof__trace_fd is -1 unless MPROF_TRACE_FD named an open socket when the library was
 *   loaded. It is then our own close-on-exec duplicate of that socket, so the program closing
 *   the fd number, or putting another file there (dup2, a shell's `exec 5>log`), can never make
 *   an event land anywhere but the channel. It goes back to -1 for good when a send fails in a
 *   way only a dead or replaced channel can (mprof gone, not a socket): the program then runs
 *   on untouched.
 * - Events are only ever sent with send(): a send cannot write into a file or a pipe.
 * - Every event is formatted into one stack buffer of at most EVENT_MAX bytes and sent with one
 *   send(): atomic on the channel, so threads and children may share it.
 * - No event is dropped silently: when the channel is full (or the program made the shared
 *   socket non-blocking) the sender waits until it has room, as a blocking send would.
 * - Each thread has its own bracket stack; one F line at end. Nothing is sent at begin unless
 *   mprof asked for begin events (MPROF_TRACE_BEGIN=1, only `mprof run --live` does): then
 *   one B line too, which mprof shows and never writes to the profile.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mprof/trace.h"

#define EVENT_MAX MPROF_TRACE_EVENT_MAX
#define STACK_MAX 256

int mprof__trace_fd = -1;

static int send_begins;      /* MPROF_TRACE_BEGIN=1: a B event at each begin */
static int statm_fd = -1;   /* /proc/self/statm, reopened in a forked child */
static long page_size = 4096;

struct open_bracket {
	const char *name;
	struct timespec t0;
	long long rss0;
};

static __thread struct open_bracket stack[STACK_MAX];
static __thread int depth;   /* may exceed STACK_MAX: deeper brackets are counted, not sent */
static __thread struct timespec gc_t0;
static __thread long long gc_rss0;
static __thread int gc_open;

static void open_statm(void)
{
	statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
}

static void after_fork_in_child(void)
{
	/* /proc/self was resolved at open time: the inherited fd reads the parent. */
	if (statm_fd >= 0)
		close(statm_fd);
	open_statm();
}

__attribute__((constructor)) static void trace_init(void)
{
	const char *s = getenv(MPROF_TRACE_ENV);
	if (!s || !*s)
		return;
	int fd = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || fd > 100000)
			return;
		fd = fd * 10 + (*s - '0');
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
		return; /* not the channel mprof gave: trace nothing, touch nothing */
	/* Our own copy, numbered high to stay out of the program's way. */
	int mine = fcntl(fd, F_DUPFD_CLOEXEC, 100);
	if (mine < 0)
		return;
	fd = mine;
	long ps = sysconf(_SC_PAGESIZE);
	if (ps > 0)
		page_size = ps;
	open_statm();
	pthread_atfork(NULL, NULL, after_fork_in_child);
	const char *b = getenv(MPROF_TRACE_BEGIN_ENV);
	send_begins = b && b[0] == '1' && !b[1];
	mprof__trace_fd = fd;
}

static long long read_rss(void)
{
	char buf[128];
	if (statm_fd < 0)
		return -1;
	ssize_t n = pread(statm_fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	/* "size resident shared ...": the second field, in pages */
	char *p = buf;
	while (*p && *p != ' ')
		p++;
	if (*p != ' ')
		return -1;
	long long pages = 0;
	for (p++; *p >= '0' && *p <= '9'; p++)
		pages = pages * 10 + (*p - '0');
	return pages * page_size;
}

/* A tiny formatter: snprintf costs more than the whole rest of an event. */
struct out {
	char *p, *end;
};

static void put_char(struct out *o, char c)
{
	if (o->p < o->end)
		*o->p++ = c;
}

static void put_uint(struct out *o, unsigned long long v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		put_char(o, tmp[--n]);
}

static void put_int(struct out *o, long long v)
{
	if (v < 0) {
		put_char(o, '-');
		put_uint(o, (unsigned long long)(-(v + 1)) + 1);
	} else {
		put_uint(o, (unsigned long long)v);
	}
}

static void put_time(struct out *o, const struct timespec *t)
{
	put_uint(o, (unsigned long long)t->tv_sec);
	put_char(o, '.');
	long us = t->tv_nsec / 1000;
	for (long div = 100000; div; div /= 10)
		put_char(o, (char)('0' + (us / div) % 10));
}

static void put_space_int(struct out *o, long long v)
{
	put_char(o, ' ');
	put_int(o, v);
}

/* Sends one whole event with one call: atomic on the channel. A full channel on a socket
 * the program made non-blocking (the flag is shared by every copy) is waited for, never
 * dropped. */
static void send_event(const char *buf, size_t len)
{
	for (;;) {
		int fd = mprof__trace_fd;
		if (fd < 0)
			return;
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n >= 0)
			return;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			if (poll(&p, 1, -1) >= 0 || errno == EINTR)
				continue;
		}
		/* EPIPE, ECONNRESET: mprof is gone; ENOTSOCK, EBADF: not the channel any more. */
		mprof__trace_fd = -1;
		return;
	}
}

/* The name goes last; one byte is always left for the newline. */
static void put_name_and_send(struct out *o, char *buf, const char *name)
{
	put_char(o, ' ');
	for (const char *s = name ? name : "?"; *s && o->p < o->end; s++)
		*o->p++ = (*s == '\n' || *s == '\r') ? '?' : *s;
	*o->p++ = '\n'; /* o->end is one short of the buffer's end */
	send_event(buf, (size_t)(o->p - buf));
}

static void start_event(struct out *o, char *buf, char type)
{
	o->p = buf;
	o->end = buf + EVENT_MAX - 1;
	put_char(o, type);
	put_space_int(o, (long long)getpid());
}

/* B pid level t rss name: a bracket opened (sent only when mprof asked for it). */
static void send_begin(const struct open_bracket *b, int level)
{
	char buf[EVENT_MAX];
	struct out o;
	start_event(&o, buf, 'B');
	put_space_int(&o, level);
	put_char(&o, ' ');
	put_time(&o, &b->t0);
	put_space_int(&o, b->rss0);
	put_name_and_send(&o, buf, b->name);
}

__attribute__((visibility("default"))) void mprof__begin(const char *name)
{
	if (depth < STACK_MAX) {
		struct open_bracket *b = &stack[depth];
		b->name = name;
		b->rss0 = read_rss();
		clock_gettime(CLOCK_REALTIME, &b->t0);
		if (send_begins)
			send_begin(b, depth);
	}
	depth++;
}

__attribute__((visibility("default"))) void mprof__end(void)
{
	if (depth == 0)
		return;
	depth--;
	if (depth >= STACK_MAX)
		return;
	struct timespec t1;
	clock_gettime(CLOCK_REALTIME, &t1);
	long long rss1 = read_rss();
	const struct open_bracket *b = &stack[depth];
	char buf[EVENT_MAX];
	struct out o;
	start_event(&o, buf, 'F');
	put_space_int(&o, depth);
	put_char(&o, ' ');
	put_time(&o, &b->t0);
	put_space_int(&o, b->rss0);
	put_char(&o, ' ');
	put_time(&o, &t1);
	put_space_int(&o, rss1);
	put_name_and_send(&o, buf, b->name);
}

__attribute__((visibility("default"))) void mprof__mark(const char *name)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	long long rss = read_rss();
	char buf[EVENT_MAX];
	struct out o;
	start_event(&o, buf, 'M');
	put_char(&o, ' ');
	put_time(&o, &t);
	put_space_int(&o, rss);
	put_name_and_send(&o, buf, name);
}

__attribute__((visibility("default"))) void mprof__gc_start(int generation)
{
	(void)generation;
	gc_rss0 = read_rss();
	clock_gettime(CLOCK_REALTIME, &gc_t0);
	gc_open = 1;
}

__attribute__((visibility("default"))) void mprof__gc_stop(int generation, long collected,
							     long uncollectable, long candidates)
{
	if (!gc_open)
		return;
	gc_open = 0;
	struct timespec t1;
	clock_gettime(CLOCK_REALTIME, &t1);
	long long rss1 = read_rss();
	char buf[EVENT_MAX];
	struct out o;
	start_event(&o, buf, 'G');
	put_space_int(&o, generation);
	put_char(&o, ' ');
	put_time(&o, &gc_t0);
	put_space_int(&o, gc_rss0);
	put_char(&o, ' ');
	put_time(&o, &t1);
	put_space_int(&o, rss1);
	put_space_int(&o, collected);
	put_space_int(&o, uncollectable);
	put_space_int(&o, candidates);
	*o.p++ = '\n';
	send_event(buf, (size_t)(o.p - buf));
}

/* mprof__end, except that a bracket shorter than min_ns is dropped unsent, decided here at its
 * end so that a short call costs no channel traffic (libmprof_instrument's --min-duration).
 * LLONG_MAX drops the bracket whatever its length. */
__attribute__((visibility("default"))) void mprof__end_min(long long min_ns)
{
	if (depth == 0)
		return;
	if (min_ns > 0 && depth <= STACK_MAX) {
		struct timespec t1;
		clock_gettime(CLOCK_REALTIME, &t1);
		const struct open_bracket *b = &stack[depth - 1];
		if ((long long)(t1.tv_sec - b->t0.tv_sec) * 1000000000LL +
			    (t1.tv_nsec - b->t0.tv_nsec) < min_ns) {
			depth--;
			return;
		}
	}
	mprof__end();
}
