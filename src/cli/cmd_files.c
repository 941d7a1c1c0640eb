/* cmd_files.c - mprof list, clean and rm: the profiles in the current directory, with
 * memory_profiler's output. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

static const cli_option list_options[] = {CLI_HELP, CLI_VERSION, CLI_END};

static const cli_parser list_parser = {
	list_options,
	"Usage: mprof list\n\nLists the profiles (mprofile_YYYYMMDDhhmmss.dat) in the current "
	"directory, oldest first,\nwith the index that plot, peak and rm accept (-1 is the newest).\n",
	NULL, 0,
};

/* list and clean: options, no operand, then the profiles. Returns -1 when done (*rc set). */
static int start_all(int argc, char **argv, const cli_parser *parser, mp_profiles *p, int *rc)
{
	int first = cli_parse_options(parser, argc, argv, rc);
	if (first < 0)
		return -1;
	if (first < argc) {
		*rc = cli_usage_error(argv[0], "this command takes no argument");
		return -1;
	}
	int err = mp_profiles_scan(p, NULL);
	if (err < 0) {
		cli_error("cannot read the current directory: %s", strerror(-err));
		*rc = CLI_FAIL;
		return -1;
	}
	return 0;
}

int cmd_list(int argc, char **argv)
{
	int rc = CLI_OK;
	mp_profiles p;
	if (start_all(argc, argv, &list_parser, &p, &rc) < 0)
		return rc;
	for (size_t i = 0; i < p.count; i++) {
		const char *ts = p.names[i] + strlen("mprofile_");
		printf("%zu %s %.2s:%.2s:%.2s %.2s/%.2s/%.4s\n", i, p.names[i], ts + 8, ts + 10,
		       ts + 12, ts + 6, ts + 4, ts);
	}
	mp_profiles_release(&p);
	return CLI_OK;
}

static int remove_all(const char **names, size_t n, int dry)
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
	const cli_option options[] = {
		CLI_FLAG(0, "dry-run", &dry, 1, "print what would be removed, remove nothing"),
		CLI_HELP,
		CLI_VERSION,
		CLI_END,
	};
	const cli_parser parser = {
		options,
		"Usage: mprof clean [--dry-run]\n\nRemoves every profile "
		"(mprofile_YYYYMMDDhhmmss.dat) in the current directory.\n",
		NULL, 0,
	};
	mp_profiles p;
	if (start_all(argc, argv, &parser, &p, &rc) < 0)
		return rc;
	rc = remove_all((const char **)p.names, p.count, dry);
	mp_profiles_release(&p);
	return rc;
}

int cmd_rm(int argc, char **argv)
{
	int dry = 0, rc = CLI_OK;
	const cli_option options[] = {
		CLI_FLAG(0, "dry-run", &dry, 1, "print what would be removed, remove nothing"),
		CLI_HELP,
		CLI_VERSION,
		CLI_END,
	};
	const cli_parser parser = {
		options,
		"Usage: mprof rm [--dry-run] N|FILE...\n\nRemoves profiles, by index in "
		"'mprof list' (0 the oldest, -1 the newest) or by name.\n",
		NULL, 0,
	};
	argc = cli_protect_negative_index(argc, argv, options);
	int first = cli_parse_options(&parser, argc, argv, &rc);
	if (first < 0)
		return rc;
	if (first >= argc) {
		printf("A profile to remove must be provided (number or filename)\n");
		return CLI_FAIL;
	}
	/* Resolve everything first: a bad argument removes nothing. */
	cli_profiles p;
	rc = cli_profiles_resolve(&p, argc - first, argv + first,
				  CLI_PROFILES_KEEP_GOING | CLI_PROFILES_TO_REMOVE);
	if (rc == CLI_OK)
		rc = remove_all(p.paths, p.count, dry);
	cli_profiles_release(&p);
	return rc;
}
