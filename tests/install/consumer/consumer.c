/* consumer.c - a program a user of the installed gclab writes: rcgc and the tracing API, found
 * through pkg-config or find_package(gclab) only (tests/install/install.sh). Under mprof it
 * reports one bracket, one marker and one collection that frees a cycle. */
#include <mprof/trace.h>
#include <rcgc.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	if (strcmp(RCGC_VERSION_STRING, MPROF_TRACE_VERSION_STRING) != 0)
		return 1;
	rc_runtime *rt = rc_runtime_new(NULL);
	if (!rt)
		return 1;
	mprof_begin("consumer");
	rc_object *l = rc_list_new(rt);
	if (!l || rc_list_append(rt, l, l) != 0) /* a cycle: only the collector frees it */
		return 1;
	rc_decref(rt, l);
	mprof_mark("cycle dropped");
	long freed = rc_gc_collect(rt, 2);
	mprof_end();
	rc_runtime_free(rt);
	printf("consumer %s: collected %ld\n", RCGC_VERSION_STRING, freed);
	return freed == 1 ? 0 : 1;
}
