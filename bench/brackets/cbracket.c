/* cbracket.c - N empty brackets (mprof_begin + mprof_end) in a loop, after 1000 of warm-up;
 * prints "ns_wall ns_cpu" per bracket: wall time, and this thread's CPU time (which a loaded
 * machine's preemption does not inflate). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mprof/trace.h"

static double ns(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	for (long i = 0; i < (n ? 1000 : 0); i++) {
		mprof_begin("warm");
		mprof_end();
	}
	double w = ns(CLOCK_MONOTONIC), c = ns(CLOCK_THREAD_CPUTIME_ID);
	for (long i = 0; i < n; i++) {
		mprof_begin("bench.bracket");
		mprof_end();
	}
	double w1 = ns(CLOCK_MONOTONIC), c1 = ns(CLOCK_THREAD_CPUTIME_ID);
	printf("%.2f %.2f\n", n ? (w1 - w) / (double)n : 0.0, n ? (c1 - c) / (double)n : 0.0);
	return 0;
}
