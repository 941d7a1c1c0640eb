/* cmd_peak.c - mprof peak: the peak memory of profiles, in memory_profiler's output format.
 *
 * "FILE\tPEAK MiB", then "  Child PID\t\t\tPEAK MiB" per child. The peak is the true one when
 * the file has PEAK lines (the kernel's high-water mark between samples), else the highest
 * sample. With --func, only samples read while that function ran count, as in memory_profiler;
 * a function that never ran, or ran between samples, prints NaN.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "profile.h"
#include "profiles.h"

static const char usage[] =
	"Usage: mprof peak [--func NAME] [FILE|INDEX...]\n\n"
	"Prints the peak memory of each profile (the newest one when none is named): the true\n"
	"peak when the profile recorded it (PEAK lines), else the highest sample; then the peak\n"
	"of each child recorded with 'mprof run -M'.\n\n"
	"  --func NAME   only the samples taken while function NAME (full dotted name, such as\n"
	"                __main__.inner) was running; NaN when there are none\n"
	"  -h, --help    print this help\n";

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
	static const struct option longopts[] = {
		{"func", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *func = NULL;
	argc = cli_protect_negative_index(argc, argv);
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			func = optarg;
			break;
		default:
			return cli_option_default(c, argv, usage);
		}
	}

	mp_profiles all;
	int rc = mp_profiles_scan(&all, NULL);
	if (rc < 0) {
		cli_error("cannot read the current directory: %s", strerror(-rc));
		return CLI_FAIL;
	}
	rc = CLI_OK;
	if (optind >= argc) {
		if (!all.count) {
			cli_error("no profile found: looked for mprofile_*.dat files, which "
				  "'mprof run' writes, in the current directory");
			rc = CLI_FAIL;
		} else {
			printf("Using last profile data.\n");
			rc = peak_one(all.names[all.count - 1], func);
		}
		goto out;
	}
	const char **done = calloc((size_t)argc, sizeof *done);
	size_t ndone = 0;
	if (!done) {
		cli_error("out of memory");
		rc = CLI_FAIL;
		goto out;
	}
	for (int i = optind; i < argc; i++) {
		const char *path = mp_profiles_resolve(&all, argv[i]);
		if (!path) {
			cli_error("cannot open '%s': no such file or profile index", argv[i]);
			rc = CLI_FAIL;
			continue;
		}
		int dup = 0;
		for (size_t k = 0; k < ndone; k++)
			dup |= !strcmp(done[k], path);
		if (dup)
			continue;
		done[ndone++] = path;
		if (peak_one(path, func) != CLI_OK)
			rc = CLI_FAIL;
	}
	free(done);
out:
	mp_profiles_release(&all);
	return rc;
}
