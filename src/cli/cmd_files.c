/* cmd_files.c - mprof list, clean and rm: the profiles in the current directory, with
 * memory_profiler's output. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "profiles.h"

/* Parses --dry-run/--help/--version; returns the first operand's index, or -1 (*rc set). */
static int parse(int argc, char **argv, int allow_dry, const char *usage, int *dry, int *rc)
{
	static const struct option longopts[] = {
		{"dry-run", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	optind = 1;
	opterr = 0;
	*dry = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!allow_dry)
				goto bad;
			*dry = 1;
			break;
		default:
		bad:
			*rc = cli_option_default(c, argv, usage);
			return -1;
		}
	}
	return optind;
}

static int scan(mp_profiles *p)
{
	int rc = mp_profiles_scan(p, NULL);
	if (rc < 0)
		cli_error("cannot read the current directory: %s", strerror(-rc));
	return rc;
}

/* list and clean: options, no operand, then the profiles. Returns -1 when done (*rc set). */
static int start_all(int argc, char **argv, int allow_dry, const char *usage, mp_profiles *p,
		     int *dry, int *rc)
{
	int first = parse(argc, argv, allow_dry, usage, dry, rc);
	if (first < 0)
		return -1;
	if (first < argc) {
		*rc = cli_usage_error(argv[0], "this command takes no argument");
		return -1;
	}
	if (scan(p) < 0) {
		*rc = CLI_FAIL;
		return -1;
	}
	return 0;
}

int cmd_list(int argc, char **argv)
{
	int dry = 0, rc = CLI_OK;
	mp_profiles p;
	if (start_all(argc, argv, 0,
		      "Usage: mprof list\n\nLists the profiles (mprofile_YYYYMMDDhhmmss.dat) in the "
		      "current directory, oldest first,\nwith the index that plot, peak and rm accept "
		      "(-1 is the newest).\n", &p, &dry, &rc) < 0)
		return rc;
	for (size_t i = 0; i < p.count; i++) {
		const char *ts = p.names[i] + strlen("mprofile_");
		printf("%zu %s %.2s:%.2s:%.2s %.2s/%.2s/%.4s\n", i, p.names[i], ts + 8, ts + 10,
		       ts + 12, ts + 6, ts + 4, ts);
	}
	mp_profiles_release(&p);
	return CLI_OK;
}

static int remove_all(char **names, size_t n, int dry)
{
	int failed = 0;
	if (dry) {
		printf("Files to be removed: \n");
		for (size_t i = 0; i < n; i++)
			printf("%s\n", names[i]);
		return CLI_OK;
	}
	for (size_t i = 0; i < n; i++) {
		if (unlink(names[i]) < 0) {
			cli_error("cannot remove '%s': %s", names[i], strerror(errno));
			failed = 1;
		}
	}
	return failed ? CLI_FAIL : CLI_OK;
}

int cmd_clean(int argc, char **argv)
{
	int dry = 0, rc = CLI_OK;
	mp_profiles p;
	if (start_all(argc, argv, 1,
		      "Usage: mprof clean [--dry-run]\n\nRemoves every profile "
		      "(mprofile_YYYYMMDDhhmmss.dat) in the current directory.\n\n"
		      "  --dry-run   print what would be removed, remove nothing\n", &p, &dry, &rc) < 0)
		return rc;
	rc = remove_all(p.names, p.count, dry);
	mp_profiles_release(&p);
	return rc;
}

int cmd_rm(int argc, char **argv)
{
	int dry = 0, rc = CLI_OK;
	argc = cli_protect_negative_index(argc, argv);
	int first = parse(argc, argv, 1,
			  "Usage: mprof rm [--dry-run] N|FILE...\n\nRemoves profiles, by index in "
			  "'mprof list' (0 the oldest, -1 the newest) or by name.\n\n"
			  "  --dry-run   print what would be removed, remove nothing\n", &dry, &rc);
	if (first < 0)
		return rc;
	if (first >= argc) {
		printf("A profile to remove must be provided (number or filename)\n");
		return CLI_FAIL;
	}
	mp_profiles p;
	if (scan(&p) < 0)
		return CLI_FAIL;
	/* Resolve everything first: a bad argument removes nothing. */
	char **names = calloc((size_t)(argc - first), sizeof *names);
	size_t n = 0;
	rc = names ? CLI_OK : CLI_FAIL;
	for (int i = first; names && i < argc; i++) {
		const char *f = mp_profiles_resolve(&p, argv[i]);
		if (!f) {
			cli_error("cannot remove '%s': no such profile or index", argv[i]);
			rc = CLI_FAIL;
			continue;
		}
		int dup = 0;
		for (size_t k = 0; k < n; k++)
			dup |= !strcmp(names[k], f);
		if (!dup)
			names[n++] = (char *)f;
	}
	if (rc == CLI_OK)
		rc = remove_all(names, n, dry);
	free(names);
	mp_profiles_release(&p);
	return rc;
}
