/* cmd_export.c - mprof export: a profile's samples, brackets and GC runs as CSV or JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "export.h"
#include "profile.h"

static int parse_format(const cli_option *opt, const char *arg, const char *cmd)
{
	int *json = opt->target;
	if (!strcmp(arg, "json"))
		*json = 1;
	else if (!strcmp(arg, "csv"))
		*json = 0;
	else
		return cli_usage_error(cmd, "unknown format '%s': csv or json", arg);
	return 0;
}

/* Writes `p` to `output` (NULL: the standard output). Returns CLI_OK or CLI_FAIL, having
 * printed why; a failed export leaves no file behind. */
static int write_export(const mp_profile *p, const char *path, int json, const char *output)
{
	/* To a temporary file renamed at the end; "-" is the standard output. */
	char *tmp = NULL;
	FILE *f = stdout;
	if (output && !strcmp(output, "-"))
		output = NULL;
	if (output && cli_check_output(output) < 0)
		return CLI_FAIL;
	if (output) {
		size_t n = strlen(output) + 32;
		tmp = malloc(n);
		if (!tmp) {
			cli_error("out of memory");
			return CLI_FAIL;
		}
		snprintf(tmp, n, "%s.tmp%ld", output, (long)getpid());
		if (!(f = fopen(tmp, "wx"))) {
			cli_error("cannot write '%s': %s", output, strerror(errno));
			free(tmp);
			return CLI_FAIL;
		}
	}
	int w = json ? mp_export_json(p, path, f) : mp_export_csv(p, f);
	if (output) {
		if (fclose(f) != 0 && w == 0)
			w = -errno;
		if (w == 0 && rename(tmp, output) < 0)
			w = -errno;
		if (w < 0)
			unlink(tmp);
		free(tmp);
	}
	if (w < 0) {
		cli_error("cannot write '%s': %s", output ? output : "standard output", strerror(-w));
		return CLI_FAIL;
	}
	return CLI_OK;
}

int cmd_export(int argc, char **argv)
{
	int json = 0;
	const char *output = NULL;
	const cli_option options[] = {
		CLI_CALLBACK(0, "format", "csv|json", &json, parse_format,
			     "one CSV table with a 'kind' column (default), or one JSON object"),
		CLI_STRING('o', "output", "FILE", &output,
			   "write to FILE instead of the standard output ('-': the\n"
			   "standard output)"),
		CLI_HELP,
		CLI_VERSION,
		CLI_END,
	};
	const cli_parser parser = {
		options,
		"Usage: mprof export [--format csv|json] [-o FILE] [PROFILE|INDEX]\n\n"
		"Writes a profile (the newest one of the current directory when none is named) for\n"
		"other tools: every sample, true peak, child sample, function call, GC collection,\n"
		"marker and the exit, with times in seconds since the start and memory in MiB.\n",
		NULL, 0,
	};
	int rc = CLI_OK;
	argc = cli_protect_negative_index(argc, argv, options);
	int first = cli_parse_options(&parser, argc, argv, &rc);
	if (first < 0)
		return rc;
	if (argc - first > 1)
		return cli_usage_error(argv[0], "one profile at a time");

	cli_profiles all;
	rc = cli_profiles_resolve(&all, argc - first, argv + first, 0);
	if (rc != CLI_OK)
		goto out;
	rc = CLI_FAIL;
	const char *path = all.paths[0];
	mp_profile p;
	if (cli_read_profile(&p, path) < 0)
		goto out;
	if (!p.lines) {
		cli_error("%s: empty profile", path);
		goto release;
	}
	rc = write_export(&p, path, json, output);
release:
	mp_profile_release(&p);
out:
	cli_profiles_release(&all);
	return rc;
}
