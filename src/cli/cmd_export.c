/* cmd_export.c - mprof export: a profile's samples, brackets and GC runs as CSV, JSON, or
 * Chrome trace-event JSON (Perfetto, chrome://tracing, speedscope, the Firefox Profiler). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "export.h"
#include "profile.h"
#include "trace.h"

enum { FORMAT_CSV, FORMAT_JSON, FORMAT_TRACE };

static int parse_format(const cli_option *opt, const char *arg, const char *cmd)
{
	int *format = opt->target;
	if (!strcmp(arg, "json"))
		*format = FORMAT_JSON;
	else if (!strcmp(arg, "csv"))
		*format = FORMAT_CSV;
	else if (!strcmp(arg, "trace"))
		*format = FORMAT_TRACE;
	else
		return cli_usage_error(cmd, "unknown format '%s': csv, json or trace", arg);
	return 0;
}

/* Puts the finished export `tmp` in the place of `output`. A rename over an existing file
 * makes ext4 (auto_da_alloc) write the new file's pages out before it returns: 30 to 50 ms for
 * a 78 MB trace, half as long as making it. An export is derived from its .dat and written
 * without fsync, so that write-out buys it nothing we promise; over a regular file the two
 * names are exchanged instead (renameat2 RENAME_EXCHANGE, which the heuristic leaves alone)
 * and the old file, now under the temporary name, is unlinked: a reader finds the old export
 * or the new one, never none. Anything else (no file yet, a directory, a kernel or file system
 * without the exchange) is a plain rename. */
static int replace(const char *tmp, const char *output)
{
	struct stat st;
	if (lstat(output, &st) == 0 && S_ISREG(st.st_mode) &&
	    renameat2(AT_FDCWD, tmp, AT_FDCWD, output, RENAME_EXCHANGE) == 0) {
		unlink(tmp);
		return 0;
	}
	return rename(tmp, output) < 0 ? -errno : 0;
}

/* Writes `p` to `output` (NULL: the standard output). Returns CLI_OK or CLI_FAIL, having
 * printed why; a failed export leaves no file behind. */
static int write_export(const mp_profile *p, const char *path, int format, const char *output)
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
	int w = format == FORMAT_JSON	 ? mp_export_json(p, path, f)
		: format == FORMAT_TRACE ? mp_export_trace(p, path, f)
					 : mp_export_csv(p, f);
	if (output) {
		if (fclose(f) != 0 && w == 0)
			w = -errno;
		if (w == 0)
			w = replace(tmp, output);
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
	int format = FORMAT_CSV;
	const char *output = NULL;
	const cli_option options[] = {
		CLI_CALLBACK(0, "format", "csv|json|trace", &format, parse_format,
			     "one CSV table with a 'kind' column (default), one JSON object,\n"
			     "or Chrome trace-event JSON (Perfetto, speedscope, chrome://tracing)"),
		CLI_STRING('o', "output", "FILE", &output,
			   "write to FILE instead of the standard output ('-': the\n"
			   "standard output)"),
		CLI_HELP,
		CLI_VERSION,
		CLI_END,
	};
	const cli_parser parser = {
		options,
		"Usage: mprof export [--format csv|json|trace] [-o FILE] [PROFILE|INDEX]\n\n"
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
	rc = write_export(&p, path, format, output);
release:
	mp_profile_release(&p);
out:
	cli_profiles_release(&all);
	return rc;
}
