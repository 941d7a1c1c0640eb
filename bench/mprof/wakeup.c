/* wakeup.c - the machine's own CPU cost of one timer wakeup (a periodic timerfd waited for
 * with poll, doing nothing else): the floor under any sampler's CPU per sample.
 *
 * Usage: bench_wakeup [INTERVAL_S [SECONDS [SKIP_S]]] (defaults 0.001, 3, 0). Prints the CPU
 * time per wakeup in microseconds, counted over [SKIP_S, SECONDS - SKIP_S / 2] of the run (the
 * window bench.py uses for mprof, which leaves out start-up and exit), and the wakeups counted. */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static long long clock_ns(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	double interval = argc > 1 ? atof(argv[1]) : 0.001;
	double seconds = argc > 2 ? atof(argv[2]) : 3;
	double skip = argc > 3 ? atof(argv[3]) : 0;
	long long period = (long long)(interval * 1e9 + 0.5);
	if (period <= 0 || seconds <= 0)
		return 2;
	int t = timerfd_create(CLOCK_MONOTONIC, 0);
	struct itimerspec its = {{period / 1000000000LL, period % 1000000000LL},
				 {period / 1000000000LL, period % 1000000000LL}};
	if (t < 0 || timerfd_settime(t, 0, &its, NULL) < 0)
		return 1;
	long long start = clock_ns(CLOCK_MONOTONIC);
	long long from = start + (long long)(skip * 1e9);
	long long to = start + (long long)((seconds - skip / 2) * 1e9);
	long long end = start + (long long)(seconds * 1e9);
	long long cpu0 = -1, cpu1 = -1, n = 0;
	for (;;) {
		struct pollfd p = {t, POLLIN, 0};
		uint64_t x;
		if (poll(&p, 1, -1) < 0 || read(t, &x, sizeof x) < 0)
			return 1;
		long long now = clock_ns(CLOCK_MONOTONIC);
		if (now >= from && cpu0 < 0)
			cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		else if (cpu0 >= 0 && cpu1 < 0)
			n++;
		if (now >= to && cpu1 < 0)
			cpu1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		if (now >= end)
			break;
	}
	printf("%.3f %lld\n", n ? (double)(cpu1 - cpu0) / 1e3 / (double)n : 0.0, n);
	return 0;
}
