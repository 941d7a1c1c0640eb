/* calls.c - the call-heavy program of bench/instrument/run, built twice from this file: with
 * -finstrument-functions and libmprof_instrument, and without (the anchor).
 *   calls.c flat N   N calls of a tiny function; prints the loop's ns per call
 *   calls.c fib N    fib(N) recursively (fib(30): 2.7 million calls); prints the total ns
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

volatile unsigned long sink;

unsigned long fib(int n);
void tiny(unsigned long i);

__attribute__((noinline)) void tiny(unsigned long i)
{
	sink += i;
}

__attribute__((noinline)) unsigned long fib(int n)
{
	return n < 2 ? (unsigned long)n : fib(n - 1) + fib(n - 2);
}

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	long n = strtol(argv[2], NULL, 10);
	long long t0 = now_ns();
	if (!strcmp(argv[1], "flat")) {
		for (long i = 0; i < n; i++)
			tiny((unsigned long)i);
		printf("%.3f\n", (double)(now_ns() - t0) / (double)n);
	} else {
		sink = fib((int)n);
		printf("%lld\n", now_ns() - t0);
	}
	return 0;
}
