/* config.h - what `mprof run --functions/--min-duration` and the environment variables tell
 * libmprof_instrument: the grammar, parsed here for both ends (mprof checks what it passes on
 * with the very code the library reads it with).
 *
 * MPROF_FUNCTIONS: comma-separated glob patterns (fnmatch(3)) on function names; a pattern
 * starting with '!' excludes. A name is kept when it matches a pattern and no exclusion
 * (exclusions alone keep everything else). Spaces around a pattern are ignored.
 * MPROF_MIN_DURATION: a number with a unit ns, us, ms or s (none: seconds), at most 1e7 s.
 */
#ifndef MPROF_INSTRUMENT_CONFIG_H
#define MPROF_INSTRUMENT_CONFIG_H

#define MPROF_FUNCTIONS_ENV "MPROF_FUNCTIONS"
#define MPROF_MIN_DURATION_ENV "MPROF_MIN_DURATION"

typedef struct mpi_filter {
	char *text;      /* owned copy, split in place */
	char **include;  /* patterns, NULL-terminated */
	char **exclude;
	int nincl, nexcl;
} mpi_filter;

/* Parses `spec` into *f. Returns 0, -EINVAL for an empty pattern (",," or a lone '!'),
 * -ENOMEM. `bad` (may be NULL) receives the offset of the offending pattern. */
int mpi_filter_init(mpi_filter *f, const char *spec, int *bad);
void mpi_filter_release(mpi_filter *f);
/* 1 when `name` (or `bare`, the name without its parameter list, may be NULL) is kept. */
int mpi_filter_keeps(const mpi_filter *f, const char *name, const char *bare);

/* Parses a duration into nanoseconds. Returns 0 or -EINVAL. */
int mpi_parse_duration(const char *s, long long *ns);

#endif
