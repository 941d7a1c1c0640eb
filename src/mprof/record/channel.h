/* channel.h - the reading end of the trace channel (docs/trace-protocol.md). */
#ifndef MP_CHANNEL_H
#define MP_CHANNEL_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "error.h"
#include "mprof/trace.h"

#define MP_EVENT_MAX MPROF_TRACE_EVENT_MAX

typedef struct mp_event {
	char type; /* 'F' (also for an E line), 'M', 'G' or 'B' (a bracket opened: shown live,
		      never written) */
	pid_t pid;
	int level;      /* F, B */
	int gen;        /* G */
	struct timespec t0, t1; /* M, B: t0 only */
	long long rss0, rss1;   /* bytes; M, B: rss0 only */
	long collected, uncollectable, candidates; /* G */
	const char *name; /* F, M, B: points into the line, not NUL-terminated */
	size_t name_len;
} mp_event;

/* Parses one event line (without its newline). Returns 0, or MP_EBADEVENT when the line is
 * not a well-formed event of a known type. */
int mp_event_parse(const char *line, size_t len, mp_event *ev);

/* Splits what arrives on the channel into lines. */
typedef struct mp_channel {
	int fd;
	int eof;
	int skipping;             /* inside an over-long line: drop to its newline */
	unsigned long bad;        /* lines skipped: malformed, unknown or too long */
	unsigned long events;     /* events delivered */
	unsigned long long bytes; /* bytes read */
	size_t len;
	char buf[65536];
} mp_channel;

void mp_channel_init(mp_channel *c, int fd);

/* Creates the channel: fds[0] is the reading end (non-blocking, mprof's), fds[1] the end the
 * program inherits (its fd is what MPROF_TRACE_ENV names), both close-on-exec (mp_spawn keeps
 * fds[1] across the exec). Returns 0 or -errno. */
int mp_channel_open(int fds[2]);

/* Reads what is available now (the fd is non-blocking), at most `budget` bytes, and calls
 * `fn` for each event. Returns 0 when the channel is empty, 1 when the budget ran out first
 * (more may be waiting), or -errno on a read error; sets c->eof when every writer has closed. The budget is what keeps a flood of events from
 * starving samples, signals and the program's exit. */
int mp_channel_drain(mp_channel *c, size_t budget,
		     void (*fn)(const mp_event *ev, void *ctx), void *ctx);

#endif
