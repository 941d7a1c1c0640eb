/* fuzz_live.c - libFuzzer target: any bytes on the live view's feed (the B and C lines mprof
 * run --live sends beside the profile), split into lines as mprof-live splits them, go into
 * the model; whatever arrives, the model keeps its bounds (the open-bracket stack, the tree,
 * names terminated) and its queries answer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"

static mp_live *m;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!m && !(m = mp_live_new()))
		abort();
	mp_live_free(m);
	if (!(m = mp_live_new()))
		abort();
	m->pid = 42;
	mp_live_add_sample(m, 1795545000.0, 1.0);
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		mp_live_add_feed_line(m, p, len);
		p += len + 1;
	}
	if (m->depth < 0 || m->depth > MP_LIVE_STACK || m->nprocs > MP_LIVE_PROCS)
		abort();
	for (int i = 0; i < m->depth; i++)
		if (memchr(m->stack[i].name, 0, sizeof m->stack[i].name) == NULL)
			abort();
	double out[64];
	int gc[64];
	mp_live_chart(m, m->t_last, 30, 64, out, gc);
	mp_live_proc top[16];
	if (mp_live_top_procs(m, 5, top, 16) > 16)
		abort();
	return 0;
}
