/* experiment.h - what the tutorial's C experiments share: their options, a runtime, sleeping,
 * dying on out-of-memory, and the lines they print (docs/experiments.md lists them; the demo's
 * report reads them, so their wording is a contract).
 *
 * Each experiment calls a compute() of its own a few times: it fills a large array of random
 * integers, takes its mean, holds it for a while and returns, bracketed for mprof as "compute".
 */
#ifndef GCLAB_EXPERIMENT_H
#define GCLAB_EXPERIMENT_H

#include <stddef.h>

#include "mprof/trace.h"
#include "rcgc.h"

typedef struct exp_opts {
	double mib;   /* size of each array in MiB (--mib, or GCLAB_MIB), default 32 */
	double hold;  /* seconds compute() holds its array (--hold, or GCLAB_HOLD), default 1 */
	int calls;    /* how many times compute() runs (--calls, or GCLAB_CALLS) */
} exp_opts;

/* Reads the options into *o (calls defaults to default_calls) and prints the experiment's
 * one-line title. Prints usage and exits 2 on a bad option, exits 0 for --help. */
void exp_init(int argc, char **argv, exp_opts *o, int default_calls, const char *title);

/* Number of int64 elements in an array of o->mib MiB. */
size_t exp_elements(const exp_opts *o);

/* A new runtime with the default configuration; exits 1 when out of memory. */
rc_runtime *exp_runtime(void);

/* Exits 1 with "NAME: out of memory" when p is NULL; returns p. */
void *exp_check(void *p, const char *what);

/* Sleeps `seconds`, resuming after signals. */
void exp_sleep(double seconds);

/* Monotonic seconds. */
double exp_now(void);

/* Prints `call N: mean M, gc.get_count() (c0, c1, c2)`. */
void exp_print_call(rc_runtime *rt, int call, double mean);

/* Runs rc_gc_collect(rt, 2), timed, and prints
 * `gc.collect(): N unreachable objects, T ms, E objects examined`. Returns what it found. */
long exp_collect(rc_runtime *rt);

#endif
