/* run_status.h - what `mprof run` shows while it records: one status line on a terminal's
 * stderr, or the live view (mprof-live) fed beside the profile. Both are session feeds
 * (session.h): the recorder calls them and never waits for them. */
#ifndef MPROF_RUN_STATUS_H
#define MPROF_RUN_STATUS_H

#include <pthread.h>
#include <sys/types.h>

#include "channel.h"
#include "session.h"

/* The status line: elapsed, samples, current and peak memory, GC runs; redrawn in place by
 * its own thread at most 4 times a second, cleared at the end. */
typedef struct run_status {
	mp_session_feed feed;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop, running;
	double start;                 /* CLOCK_MONOTONIC seconds */
	unsigned long long samples;
	long long mem, peak;
	unsigned long gc_runs;
} run_status;

/* Starts the line's thread. Returns 0, or -errno (then there is no line, and no harm). */
int run_status_start(run_status *st);
/* Stops it and clears the line. */
void run_status_stop(run_status *st);

#define RUN_FEED_STACK 32

/* The live view's feed: the open brackets (B lines) and, with -C alone, the tree's members,
 * written as lines (live.h) to a pipe that mprof-live reads; at most one write per 50 ms, and
 * never waiting: what a full pipe cannot take is dropped and counted (the view alone misses
 * it; the profile has everything). The program's open brackets are kept here (B opens one,
 * F closes it) and sent as they stand at each write, not one line per event: a program
 * opening brackets by the hundred thousand a second costs the view a few lines a write. */
typedef struct run_live_feed {
	mp_session_feed feed;
	int fd;             /* the pipe's writing end */
	int tree;           /* send C lines (-C without -M: CHLD lines are not in the profile) */
	pid_t pid;          /* the program: other processes' brackets are not its stack */
	struct {
		struct timespec t0;
		long long rss;
		size_t len;
		char name[MP_EVENT_MAX];
	} open[RUN_FEED_STACK]; /* the open brackets, outermost first */
	int depth, changed;
	size_t len;
	long long last_flush; /* CLOCK_MONOTONIC ns */
	double tree_batch, tree_sent; /* the sample the members being sent belong to; the last
					 one sent */
	int tree_on;          /* this sample's members are sent */
	unsigned long dropped;
	char buf[32768];      /* last: run_live_feed_init clears all but it */
} run_live_feed;

void run_live_feed_init(run_live_feed *lf, int fd, int tree, pid_t pid);
/* Sends what is left. */
void run_live_feed_flush(run_live_feed *lf);

#endif
