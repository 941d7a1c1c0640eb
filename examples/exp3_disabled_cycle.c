/* exp3_disabled_cycle.c - the tutorial's gc_cr.py on rcgc: a cycle with the collector off.
 *
 * compute() puts its array in a list and the list in itself. When compute() returns, the
 * list still holds a reference to itself, so its count never reaches zero: the list and the
 * array it holds are garbage that only the cycle collector could find, and it is disabled.
 * Memory climbs by one array per call.
 */
#include "experiment.h"

static double compute(rc_runtime *rt, const exp_opts *o, int call)
{
	MPROF_SCOPE("compute");
	rc_object *a = exp_check(rc_array_random_int(rt, exp_elements(o), 0, 100, (uint64_t)call),
				 "rc_array_random_int");
	rc_object *l = exp_check(rc_list_new(rt), "rc_list_new");
	if (rc_list_append(rt, l, a) || rc_list_append(rt, l, l)) /* l = [a]; l.append(l) */
		exp_check(NULL, "rc_list_append");
	double mean = 0;
	rc_array_mean(a, &mean);
	exp_sleep(o->hold);
	rc_decref(rt, l); /* l's count drops to 1 (its own reference): it stays */
	rc_decref(rt, a); /* a's count drops to 1 (the list's reference): it stays */
	return mean;
}

int main(int argc, char **argv)
{
	exp_opts o;
	exp_init(argc, argv, &o, 3, "gc disabled, with a cycle: memory climbs with every call");
	rc_runtime *rt = exp_runtime();
	rc_gc_disable(rt);
	exp_sleep(o.hold / 4);
	for (int call = 1; call <= o.calls; call++)
		exp_print_call(rt, call, compute(rt, &o, call));
	exp_sleep(o.hold / 4);
	rc_runtime_free(rt); /* its last collection frees the cycles, after the plot's end */
	return 0;
}
