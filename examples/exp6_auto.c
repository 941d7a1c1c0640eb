/* exp6_auto.c - not in the tutorial: the collector runs by itself.
 *
 * Experiment 4's cycles, in a program that also does what programs do: after its big work,
 * each call keeps some small results (a list per result, appended to a history the program
 * holds). Those are container allocations; about half a threshold of them per call (1001 at
 * threshold 2000) pushes gc.get_count()[0] over threshold 0 every second call, and the
 * collector runs automatically, inside the allocation that crossed it. By then the cycles of
 * the calls before are unreachable: the collection frees them, and memory drops back.
 * A callback (gc.callbacks) prints each automatic collection as it happens; mprof records
 * each one as a GC line.
 */
#include <stdio.h>

#include "experiment.h"

static int current_call;

static void on_collection(rc_runtime *rt, rc_gc_phase phase, const rc_gc_info *info, void *ud)
{
	(void)rt;
	(void)ud;
	if (phase != RC_GC_STOP)
		return;
	printf("automatic collection during call %d: generation %d, %ld unreachable objects, "
	       "%.6f ms, %ld objects examined\n",
	       current_call, info->generation, info->collected + info->uncollectable,
	       info->duration * 1e3, info->candidates);
	fflush(stdout);
}

/* Appends `n` small results ([i], a container each) to the program's history. */
static void keep_results(rc_runtime *rt, rc_object *history, long n)
{
	for (long i = 0; i < n; i++) {
		rc_object *r = exp_check(rc_list_new(rt), "rc_list_new");
		rc_object *v = exp_check(rc_int_new(rt, i), "rc_int_new");
		if (rc_list_append_steal(rt, r, v) || rc_list_append_steal(rt, history, r))
			exp_check(NULL, "rc_list_append");
	}
}

static double compute(rc_runtime *rt, const exp_opts *o, int call, rc_object *history, long per_call)
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
	rc_decref(rt, l); /* the cycle is garbage from here on */
	rc_decref(rt, a);
	keep_results(rt, history, per_call);
	return mean;
}

int main(int argc, char **argv)
{
	exp_opts o;
	exp_init(argc, argv, &o, 6, "automatic collection: small allocations cross the threshold");
	rc_runtime *rt = exp_runtime();
	if (rc_gc_callback_add(rt, on_collection, NULL))
		exp_check(NULL, "rc_gc_callback_add");
	long th[RC_GC_GENERATIONS];
	rc_gc_get_threshold(rt, th);
	long per_call = th[0] / 2 + 1;
	printf("gc.isenabled() %d, gc.get_threshold() (%ld, %ld, %ld), %ld results kept per call\n",
	       rc_gc_isenabled(rt), th[0], th[1], th[2], per_call);
	rc_object *history = exp_check(rc_list_new(rt), "rc_list_new");
	exp_sleep(o.hold / 4);
	for (int call = 1; call <= o.calls; call++) {
		current_call = call;
		exp_print_call(rt, call, compute(rt, &o, call, history, per_call));
	}
	current_call = 0;
	exp_sleep(o.hold / 4);
	rc_decref(rt, history);
	rc_runtime_free(rt);
	return 0;
}
