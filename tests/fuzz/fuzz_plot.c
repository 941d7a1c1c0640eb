/* fuzz_plot.c - libFuzzer target: whatever the reader accepts, plot draws without crashing,
 * looping, leaking or failing: bracket, flame, window and slope paths, to a small PNG. The first byte
 * picks the options, the rest is the profile. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "plot.h"
#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t opt = data[0];
	mp_profile p;
	char path[64];
	if (mp_profile_parse(&p, (const char *)data + 1, size - 1, NULL) != 0)
		return 0;
	mp_plot_opts o = {.width = 320, .height = 200};
	o.flame = opt & 1;
	o.no_functions = (opt >> 1) & 1;
	o.slope = (opt >> 2) & 1;
	if (opt & 8) {
		o.has_tmin = 1;
		o.tmin = (opt >> 4) * 0.05;
	}
	if (opt & 16) {
		o.has_tmax = 1;
		o.tmax = o.tmin + 0.01 + (opt >> 5) * 0.3;
	}
	snprintf(path, sizeof path, "/tmp/fuzz_plot.%ld.png", (long)getpid());
	const mp_profile *pp[] = {&p};
	const char *names[] = {"fuzz.dat"};
	int rc = mp_plot_write(pp, names, 1, &o, MP_PLOT_PNG, path, NULL, NULL);
	if (rc == 0)
		unlink(path);
	else if (rc != MP_ENOSAMPLES) /* only "nothing to plot" may fail: anything else is a bug */
		abort();
	mp_profile_release(&p);
	return 0;
}
