/* exp4_cycle.c - the tutorial's cr_only.py on rcgc: a cycle with the collector ON.
 *
 * The same cycle as experiment 3, and the collector is enabled, yet memory still climbs. The
 * collector runs automatically only when the count of container allocations minus
 * deallocations since the last collection exceeds threshold 0 (2000, as in CPython 3.13).
 * Each call allocates one container (the list; the array is not a container): the count goes
 * 1, 2, 3, and never gets near 2000. The printed gc.get_count() shows it.
 */
#include <stdio.h>

#include "experiment.h"

static double compute(rc_runtime *rt, const exp_opts *o, int call)
{
	MPROF_SCOPE("compute");
	rc_object *a = exp_check(rc_array_random_int(rt, exp_elements(o), 0, 100, (uint64_t)call),
				 "rc_array_random_int");
	rc_object *l = exp_check(rc_list_new(rt), "rc_list_new");
	if (rc_list_append(rt, l, a) || rc_list_append(rt, l, l))
		exp_check(NULL, "rc_list_append");
	double mean = 0;
	rc_array_mean(a, &mean);
	exp_sleep(o->hold);
	rc_decref(rt, l);
	rc_decref(rt, a);
	return mean;
}

int main(int argc, char **argv)
{
	exp_opts o;
	exp_init(argc, argv, &o, 3, "a cycle with gc enabled: still climbs, the threshold is never reached");
	rc_runtime *rt = exp_runtime();
	long th[RC_GC_GENERATIONS];
	rc_gc_get_threshold(rt, th);
	printf("gc.isenabled() %d, gc.get_threshold() (%ld, %ld, %ld)\n", rc_gc_isenabled(rt), th[0],
	       th[1], th[2]);
	exp_sleep(o.hold / 4);
	for (int call = 1; call <= o.calls; call++)
		exp_print_call(rt, call, compute(rt, &o, call));
	exp_sleep(o.hold / 4);
	rc_runtime_free(rt);
	return 0;
}
