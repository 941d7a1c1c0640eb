/* gc_cost.c - what a collection costs: time against the number of tracked objects.
 *
 * For each N given (default 1000 10000 100000 1000000) it builds N small containers kept
 * alive in one list (N + 1 tracked objects, none of them garbage), then times a full
 * collection (rc_gc_collect(2); the best of three) and a generation-0 collection right after
 * (everything has moved to the oldest generation, so the young one is empty). It prints one
 * tab-separated line per N:
 *   tracked  full_ms  ns_per_object  examined  gen0_ms
 * Then, for each MiB value after --free (default 0 8 32), it makes two cycles like the
 * tutorial's (a list holding an array of that size and itself), drops them and times the
 * collection that frees them:
 *   garbage_mib  collect_ms  found  tracked  refcount_ms
 * where refcount_ms is the time reference counting takes to free two such arrays that are in
 * no cycle (their last rc_decref), for comparison; both the best of three.
 * A collection's walk covers every tracked object of the generations it collects, garbage or
 * not, and the bytes they hold do not matter to it (an array is one untracked object); but
 * freeing the garbage it finds is part of its time, and giving big buffers back to the system
 * costs in proportion to their size.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment.h"

static double timed_collect(rc_runtime *rt, int gen, uint64_t *examined)
{
	rc_gc_stats a[RC_GC_GENERATIONS], b[RC_GC_GENERATIONS];
	rc_gc_get_stats(rt, a);
	double t0 = exp_now();
	rc_gc_collect(rt, gen);
	double dt = exp_now() - t0;
	rc_gc_get_stats(rt, b);
	*examined = b[gen].candidates - a[gen].candidates;
	return dt;
}

static void measure(long n)
{
	rc_runtime *rt = exp_runtime();
	rc_gc_disable(rt); /* only the collections timed here run */
	rc_object *keep = exp_check(rc_list_new(rt), "rc_list_new");
	for (long i = 0; i < n; i++) {
		rc_object *r = exp_check(rc_list_new(rt), "rc_list_new");
		rc_object *v = exp_check(rc_int_new(rt, i), "rc_int_new");
		if (rc_list_append_steal(rt, r, v) || rc_list_append_steal(rt, keep, r))
			exp_check(NULL, "rc_list_append");
	}
	double best = 1e9;
	uint64_t examined = 0, e0;
	for (int rep = 0; rep < 3; rep++) {
		double dt = timed_collect(rt, 2, &examined);
		if (dt < best)
			best = dt;
	}
	double young = timed_collect(rt, 0, &e0);
	printf("%ld\t%.6f\t%.2f\t%llu\t%.6f\n", n + 1, best * 1e3, best * 1e9 / (double)(n + 1),
	       (unsigned long long)examined, young * 1e3);
	fflush(stdout);
	rc_decref(rt, keep);
	rc_runtime_free(rt);
}

/* Two cycles holding `mib` MiB each, dropped, then collected: the collection's time includes
 * freeing them. Then the same two arrays in no cycle, freed by their last rc_decref. Each the
 * best of three. */
static void measure_free(double mib)
{
	rc_runtime *rt = exp_runtime();
	rc_gc_disable(rt);
	exp_opts o = {.mib = mib};
	double best = 1e9, rc_best = 1e9;
	long found = 0;
	uint64_t examined = 0;
	for (int rep = 0; rep < 3; rep++) {
		for (int i = 0; i < 2; i++) {
			rc_object *a = mib > 0 ? rc_array_random_int(rt, exp_elements(&o), 0, 100, (uint64_t)i)
					       : rc_int_new(rt, i);
			rc_object *l = exp_check(rc_list_new(rt), "rc_list_new");
			exp_check(a, "rc_array_random_int");
			if (rc_list_append_steal(rt, l, a) || rc_list_append(rt, l, l))
				exp_check(NULL, "rc_list_append");
			rc_decref(rt, l);
		}
		rc_gc_stats a0[RC_GC_GENERATIONS], a1[RC_GC_GENERATIONS];
		rc_gc_get_stats(rt, a0);
		double t0 = exp_now();
		found = rc_gc_collect(rt, 2);
		double dt = exp_now() - t0;
		rc_gc_get_stats(rt, a1);
		examined = a1[2].candidates - a0[2].candidates;
		if (dt < best)
			best = dt;
		double rc_dt = 0;
		for (int i = 0; i < 2 && mib > 0; i++) {
			rc_object *a = exp_check(
				rc_array_random_int(rt, exp_elements(&o), 0, 100, (uint64_t)i),
				"rc_array_random_int");
			double t1 = exp_now();
			rc_decref(rt, a);
			rc_dt += exp_now() - t1;
		}
		if (rc_dt < rc_best)
			rc_best = rc_dt;
	}
	printf("%g\t%.6f\t%ld\t%llu\t%.6f\n", mib, best * 1e3, found, (unsigned long long)examined,
	       rc_best * 1e3);
	fflush(stdout);
	rc_runtime_free(rt);
}

static int parse_args(int argc, char **argv, long *ns, int *nn, double *mibs, int *nm)
{
	int in_free = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--free")) {
			in_free = 1;
			*nm = 0;
			continue;
		}
		char *end;
		errno = 0;
		double v = strtod(argv[i], &end);
		if (errno || end == argv[i] || *end || v < 0 || v > (in_free ? 65536 : 1e8) ||
		    (!in_free && v != (long)v) || (in_free ? *nm : *nn) >= 32) {
			fprintf(stderr, "gc_cost: invalid %s '%s'\n", in_free ? "MiB" : "number of objects",
				argv[i]);
			fprintf(stderr, "Usage: gc_cost [N...] [--free MIB...]\n");
			return -1;
		}
		if (in_free)
			mibs[(*nm)++] = v;
		else
			ns[(*nn)++] = (long)v;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long ns[32] = {1000, 10000, 100000, 1000000};
	double mibs[32] = {0, 8, 32};
	int nn = 4, nm = 3;
	if (argc > 1 && argv[1][0] != '-')
		nn = 0;
	if (parse_args(argc, argv, ns, &nn, mibs, &nm))
		return 2;
	printf("# tracked\tfull_ms\tns_per_object\texamined\tgen0_ms\n");
	for (int i = 0; i < nn; i++)
		measure(ns[i]);
	printf("# garbage_mib\tcollect_ms\tfound\ttracked\trefcount_ms\n");
	for (int i = 0; i < nm; i++)
		measure_free(mibs[i]);
	return 0;
}
