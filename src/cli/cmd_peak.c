/* cmd_peak.c - mprof peak: the peak memory of profiles, in memory_profiler's output format.
 *
 * "FILE\tPEAK MiB", then "  Child PID\t\t\tPEAK MiB" per child. The peak is the true one when
 * the file has PEAK lines (the kernel's high-water mark between samples), else the highest
 * sample. With --func, only samples read while that function ran count, as in memory_profiler;
 * a function that never ran, or ran between samples, prints NaN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "profile.h"

static int peak_one(const char *path, const char *func)
{
	mp_profile p;
	if (cli_read_profile(&p, path) < 0)
		return CLI_FAIL;
	double mem;
	int rc = CLI_OK;
	if (func) {
		if (mp_profile_peak_func(&p, func, &mem) < 0) {
			printf("%s\tNaN MiB\n", path);
			goto out;
		}
	} else if (mp_profile_peak(&p, &mem, NULL) < 0) {
		if (p.lines)
			cli_error("%s: no memory samples (no MEM lines)", path);
		else
			cli_error("%s: empty profile", path);
		rc = CLI_FAIL;
		goto out;
	}
	printf("%s\t%.3f MiB\n", path, mem);
	for (size_t i = 0; i < p.nchildren; i++)
		printf("  Child %ld\t\t\t%.3f MiB\n", p.children[i].pid, mp_child_peak(&p.children[i]));
out:
	mp_profile_release(&p);
	return rc;
}

int cmd_peak(int argc, char **argv)
{
	const char *func = NULL;
	const cli_option options[] = {
		CLI_STRING(0, "func", "NAME", &func,
			   "only the samples taken while function NAME (full dotted name, such as\n"
			   "__main__.inner) was running; NaN when there are none"),
		CLI_HELP,
		CLI_VERSION,
		CLI_END,
	};
	const cli_parser parser = {
		options,
		"Usage: mprof peak [--func NAME] [FILE|INDEX...]\n\n"
		"Prints the peak memory of each profile (the newest one when none is named): the true\n"
		"peak when the profile recorded it (PEAK lines), else the highest sample; then the peak\n"
		"of each child recorded with 'mprof run -M'.\n",
		NULL, 0,
	};
	int rc = CLI_OK;
	argc = cli_protect_negative_index(argc, argv, options);
	int first = cli_parse_options(&parser, argc, argv, &rc);
	if (first < 0)
		return rc;
	cli_profiles p;
	rc = cli_profiles_resolve(&p, argc - first, argv + first,
				  CLI_PROFILES_SAY_NEWEST | CLI_PROFILES_KEEP_GOING);
	for (size_t i = 0; i < p.count; i++)
		if (peak_one(p.paths[i], func) != CLI_OK)
			rc = CLI_FAIL;
	cli_profiles_release(&p);
	return rc;
}
