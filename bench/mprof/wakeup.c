/* wakeup.c - the machine's own CPU cost of one timer wakeup (a periodic timerfd waited for
 * with poll, as mprof's sampler does, doing nothing else): the floor under any sampler's
 * CPU per sample. Prints microseconds per wakeup. */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000;
	int t = timerfd_create(CLOCK_MONOTONIC, 0);
	struct itimerspec its = {{0, 1000000}, {0, 1000000}};
	if (t < 0 || timerfd_settime(t, 0, &its, NULL) < 0)
		return 1;
	for (long i = 0; i < n; i++) {
		struct pollfd p = {t, POLLIN, 0};
		uint64_t x;
		if (poll(&p, 1, -1) < 0 || read(t, &x, sizeof x) < 0)
			return 1;
	}
	struct rusage r;
	getrusage(RUSAGE_SELF, &r);
	double us = (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e6 +
		    (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec);
	printf("%.2f\n", us / (double)n);
	return 0;
}
