/* exp1_baseline.c - the tutorial's baseline.py on rcgc: three bumps, each freed by refcounting.
 *
 * compute() fills an array of random integers, takes its mean, holds the array and returns.
 * The array's last reference goes away before the bracket closes, so reference counting
 * frees it inside the bracket: memory goes up at the start of each call and back down at its
 * end. No collector is involved (the array holds no references; it is never tracked).
 */
#include "experiment.h"

static double compute(rc_runtime *rt, const exp_opts *o, int call)
{
	MPROF_SCOPE("compute");
	rc_object *a = exp_check(rc_array_random_int(rt, exp_elements(o), 0, 100, (uint64_t)call),
				 "rc_array_random_int");
	double mean = 0;
	rc_array_mean(a, &mean);
	exp_sleep(o->hold);
	rc_decref(rt, a); /* the last reference: the buffer goes back to the system now */
	return mean;
}

int main(int argc, char **argv)
{
	exp_opts o;
	exp_init(argc, argv, &o, 3, "baseline: each call's array is freed by reference counting");
	rc_runtime *rt = exp_runtime();
	exp_sleep(o.hold / 4); /* a flat start on the plot */
	for (int call = 1; call <= o.calls; call++)
		exp_print_call(rt, call, compute(rt, &o, call));
	exp_sleep(o.hold / 4);
	rc_runtime_free(rt);
	return 0;
}
