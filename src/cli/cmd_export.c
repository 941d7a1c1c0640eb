/* cmd_export.c - mprof export: a profile's samples, brackets and GC runs as CSV or JSON. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "export.h"
#include "profile.h"
#include "profiles.h"

static const char usage[] =
	"Usage: mprof export [--format csv|json] [-o FILE] [PROFILE|INDEX]\n\n"
	"Writes a profile (the newest one of the current directory when none is named) for\n"
	"other tools: every sample, true peak, child sample, function call, GC collection,\n"
	"marker and the exit, with times in seconds since the start and memory in MiB.\n\n"
	"  --format csv|json   one CSV table with a 'kind' column (default), or one JSON object\n"
	"  -o, --output FILE   write to FILE instead of the standard output\n"
	"  -h, --help          print this help\n";

int cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'F'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int json = 0;
	const char *output = NULL;
	argc = cli_protect_negative_index(argc, argv);
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (!strcmp(optarg, "json"))
				json = 1;
			else if (!strcmp(optarg, "csv"))
				json = 0;
			else
				return cli_usage_error(argv[0], "unknown format '%s': csv or json", optarg);
			break;
		case 'o':
			output = optarg;
			break;
		default:
			return cli_option_default(c, argv, usage);
		}
	}
	if (argc - optind > 1)
		return cli_usage_error(argv[0], "one profile at a time");

	mp_profiles all;
	int rc = mp_profiles_scan(&all, NULL);
	if (rc < 0) {
		cli_error("cannot read the current directory: %s", strerror(-rc));
		return CLI_FAIL;
	}
	rc = CLI_FAIL;
	const char *path;
	if (optind < argc) {
		path = mp_profiles_resolve(&all, argv[optind]);
		if (!path) {
			cli_error("cannot open '%s': no such file or profile index", argv[optind]);
			goto out;
		}
	} else if (all.count) {
		path = all.names[all.count - 1];
	} else {
		cli_error("no profile found: looked for mprofile_*.dat files, which 'mprof run' "
			  "writes, in the current directory");
		goto out;
	}
	mp_profile p;
	if (cli_read_profile(&p, path) < 0)
		goto out;
	if (!p.lines) {
		cli_error("%s: empty profile", path);
		goto release;
	}
	/* To a temporary file renamed at the end: a failed export leaves nothing behind. */
	char *tmp = NULL;
	FILE *f = stdout;
	if (output) {
		size_t n = strlen(output) + 32;
		tmp = malloc(n);
		if (!tmp) {
			cli_error("out of memory");
			goto release;
		}
		snprintf(tmp, n, "%s.tmp%ld", output, (long)getpid());
		if (!(f = fopen(tmp, "wx"))) {
			cli_error("cannot write '%s': %s", output, strerror(errno));
			free(tmp);
			goto release;
		}
	}
	int w = json ? mp_export_json(&p, path, f) : mp_export_csv(&p, f);
	if (output) {
		if (fclose(f) != 0 && w == 0)
			w = -errno;
		if (w == 0 && rename(tmp, output) < 0)
			w = -errno;
		if (w < 0)
			unlink(tmp);
		free(tmp);
	}
	if (w < 0)
		cli_error("cannot write '%s': %s", output ? output : "standard output", strerror(-w));
	else
		rc = CLI_OK;
release:
	mp_profile_release(&p);
out:
	mp_profiles_release(&all);
	return rc;
}
