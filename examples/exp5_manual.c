/* exp5_manual.c - the tutorial's manual_gc_cr.py on rcgc: collect by hand before the third call.
 *
 * Experiment 4's cycles, with rc_gc_collect() (gc.collect()) called before the third call: the
 * two cycles left by the first two calls are unreachable, the collection finds and frees them,
 * and memory drops back to the level before the first call. The collection's time is printed
 * (and mprof records it as a GC line).
 */
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
	exp_init(argc, argv, &o, 3, "a cycle, and a manual gc.collect() before the third call");
	rc_runtime *rt = exp_runtime();
	exp_sleep(o.hold / 4);
	for (int call = 1; call <= o.calls; call++) {
		if (call == 3) {
			exp_collect(rt);
			exp_sleep(o.hold / 4); /* let the drop show before the next bump */
		}
		exp_print_call(rt, call, compute(rt, &o, call));
	}
	exp_sleep(o.hold / 4);
	rc_runtime_free(rt);
	return 0;
}
