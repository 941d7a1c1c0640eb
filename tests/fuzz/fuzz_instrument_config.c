/* fuzz_instrument_config.c - libFuzzer target: any text as MPROF_FUNCTIONS or
 * MPROF_MIN_DURATION (src/instrument/config.c, read by mprof and by every instrumented
 * program). The first byte picks the parser; a filter that parses matches names without
 * fault, and a parsed duration is never negative. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "instrument/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	char *s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = 0; /* a NUL inside cuts the text, as getenv's would */
	if (data[0] & 1) {
		long long ns = 0;
		if (mpi_parse_duration(s, &ns) == 0 && ns < 0)
			abort();
	} else {
		mpi_filter f;
		if (mpi_filter_init(&f, s, NULL) == 0) {
			mpi_filter_keeps(&f, "parse_line", NULL);
			mpi_filter_keeps(&f, "geo::area(geo::Square const&)", "geo::area");
			mpi_filter_keeps(&f, s, s);
			mpi_filter_release(&f);
		}
	}
	free(s);
	return 0;
}
