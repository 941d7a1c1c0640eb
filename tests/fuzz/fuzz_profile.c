/* fuzz_profile.c - libFuzzer target: the .dat reader and everything that reads its result
 * (peak, peak --func, export: CSV, JSON, trace events) on any bytes. Nothing may crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "export.h"
#include "profile.h"
#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mp_profile p;
	if (mp_profile_parse(&p, (const char *)data, size, NULL) != 0)
		return 0;
	double mem, t;
	mp_profile_peak(&p, &mem, &t);
	for (size_t i = 0; i < p.nfnames && i < 4; i++)
		mp_profile_peak_func(&p, p.fnames[i], &mem);
	for (size_t i = 0; i < p.nchildren; i++)
		mp_child_peak(&p.children[i]);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f) {
		mp_export_csv(&p, f);
		mp_export_json(&p, "fuzz.dat", f);
		mp_export_trace(&p, "fuzz.dat", f);
		fclose(f);
		free(buf);
	}
	mp_profile_release(&p);
	return 0;
}
