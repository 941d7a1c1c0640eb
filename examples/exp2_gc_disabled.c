/* exp2_gc_disabled.c - the tutorial's gc.py on rcgc: the collector off, the same three bumps.
 *
 * rc_gc_disable() (gc.disable()) stops only the automatic cycle collector. Reference counting
 * is not a collector that can be switched off: it is how every object dies, so the picture is
 * the baseline's.
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
	rc_decref(rt, a); /* still freed here: refcounting does not depend on the collector */
	return mean;
}

int main(int argc, char **argv)
{
	exp_opts o;
	exp_init(argc, argv, &o, 3, "gc disabled: refcounting still frees each array");
	rc_runtime *rt = exp_runtime();
	rc_gc_disable(rt);
	exp_sleep(o.hold / 4);
	for (int call = 1; call <= o.calls; call++)
		exp_print_call(rt, call, compute(rt, &o, call));
	exp_sleep(o.hold / 4);
	rc_runtime_free(rt);
	return 0;
}
