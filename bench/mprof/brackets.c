/* brackets.c - the cost of one bracket (begin + end, own RSS read included) in a traced C
 * program. Prints "N ns_per_bracket enabled". */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mprof/trace.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		mprof_begin("bench.bracket");
		mprof_end();
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ns = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / (double)n;
	printf("%ld %.1f %d\n", n, ns, mprof_enabled());
	return 0;
}
