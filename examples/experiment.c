/* experiment.c - options, runtime, sleep and output lines shared by the C experiments. */
#include "experiment.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [--mib MIB] [--hold SECONDS] [--calls N]\n"
		"  --mib MIB        size of each array in MiB (default 32, or $GCLAB_MIB)\n"
		"  --hold SECONDS   how long compute() holds its array (default 1, or $GCLAB_HOLD)\n"
		"  --calls N        how many times compute() runs (or $GCLAB_CALLS)\n"
		"Run it under `mprof run` to see its memory (docs/experiments.md).\n",
		prog);
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

static void bad(const char *prog, const char *what, const char *value)
{
	fprintf(stderr, "%s: invalid %s '%s'\n", prog, what, value);
	usage(stderr, prog);
	exit(2);
}

void exp_init(int argc, char **argv, exp_opts *o, int default_calls, const char *title)
{
	const char *prog = argc > 0 ? argv[0] : "experiment";
	const char *p = strrchr(prog, '/');
	prog = p ? p + 1 : prog;
	o->mib = 32;
	o->hold = 1;
	o->calls = default_calls;
	const char *env;
	double v;
	if ((env = getenv("GCLAB_MIB")) && *env && parse_double(env, 0.01, 1 << 20, &o->mib))
		bad(prog, "GCLAB_MIB", env);
	if ((env = getenv("GCLAB_HOLD")) && *env && parse_double(env, 0, 3600, &o->hold))
		bad(prog, "GCLAB_HOLD", env);
	if ((env = getenv("GCLAB_CALLS")) && *env) {
		if (parse_double(env, 1, 1000, &v) || v != (int)v)
			bad(prog, "GCLAB_CALLS", env);
		o->calls = (int)v;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout, prog);
			exit(0);
		}
		if (i + 1 >= argc || (strcmp(a, "--mib") && strcmp(a, "--hold") && strcmp(a, "--calls"))) {
			fprintf(stderr, "%s: unknown option '%s'\n", prog, a);
			usage(stderr, prog);
			exit(2);
		}
		const char *val = argv[++i];
		if (!strcmp(a, "--mib")) {
			if (parse_double(val, 0.01, 1 << 20, &o->mib))
				bad(prog, "--mib", val);
		} else if (!strcmp(a, "--hold")) {
			if (parse_double(val, 0, 3600, &o->hold))
				bad(prog, "--hold", val);
		} else {
			if (parse_double(val, 1, 1000, &v) || v != (int)v)
				bad(prog, "--calls", val);
			o->calls = (int)v;
		}
	}
	printf("%s: %s\n", prog, title);
	printf("array %.2f MiB (%zu int64), held %.2f s, %d calls\n", o->mib, exp_elements(o), o->hold,
	       o->calls);
	fflush(stdout);
}

size_t exp_elements(const exp_opts *o)
{
	size_t n = (size_t)(o->mib * 1048576.0 / 8.0);
	return n ? n : 1;
}

void *exp_check(void *p, const char *what)
{
	if (!p) {
		fprintf(stderr, "%s: out of memory\n", what);
		exit(1);
	}
	return p;
}

rc_runtime *exp_runtime(void)
{
	return exp_check(rc_runtime_new(NULL), "rc_runtime_new");
}

void exp_sleep(double seconds)
{
	if (seconds <= 0)
		return;
	struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

double exp_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void exp_print_call(rc_runtime *rt, int call, double mean)
{
	long c[RC_GC_GENERATIONS];
	rc_gc_get_count(rt, c);
	printf("call %d: mean %.4f, gc.get_count() (%ld, %ld, %ld)\n", call, mean, c[0], c[1], c[2]);
	fflush(stdout);
}

long exp_collect(rc_runtime *rt)
{
	rc_gc_stats before[RC_GC_GENERATIONS], after[RC_GC_GENERATIONS];
	rc_gc_get_stats(rt, before);
	double t0 = exp_now();
	long found = rc_gc_collect(rt, 2);
	double dt = exp_now() - t0;
	rc_gc_get_stats(rt, after);
	printf("gc.collect(): %ld unreachable objects, %.6f ms, %llu objects examined\n", found,
	       dt * 1e3, (unsigned long long)(after[2].candidates - before[2].candidates));
	fflush(stdout);
	return found;
}
