/* cmd_plot.c - mprof plot: profiles to PNG, SVG or PDF, with memory_profiler's options.
 *
 * Runs in the mprof-plot executable (the only one linked with cairo). Every profile is read
 * before anything is written: a bad profile, index or option writes no image at all.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plot.h"
#include "profile.h"

static int parse_number(const char *s, double *v)
{
	char *end;
	errno = 0;
	*v = strtod(s, &end);
	return end != s && !*end && !errno && isfinite(*v) ? 0 : -1;
}

/* "a,b", "a," or ",b". Returns 0 or -1. */
static int parse_window(const char *s, mp_plot_opts *o)
{
	const char *comma = strchr(s, ',');
	if (!comma || strchr(comma + 1, ','))
		return -1;
	char a[64];
	size_t alen = (size_t)(comma - s);
	if (alen >= sizeof a)
		return -1;
	memcpy(a, s, alen);
	a[alen] = 0;
	o->has_tmin = alen > 0;
	o->has_tmax = comma[1] != 0;
	if (!o->has_tmin && !o->has_tmax)
		return -1;
	if (o->has_tmin && parse_number(a, &o->tmin) < 0)
		return -1;
	if (o->has_tmax && parse_number(comma + 1, &o->tmax) < 0)
		return -1;
	if (o->has_tmin && o->has_tmax && !(o->tmax > o->tmin))
		return -1;
	return 0;
}

/* --window A,B */
static int opt_window(const cli_option *opt, const char *arg, const char *cmd)
{
	if (parse_window(arg, opt->target) < 0)
		return cli_usage_error(cmd, "invalid window '%s': expected A,B "
					    "(seconds, A < B; 'A,' or ',B' for an open end)", arg);
	return 0;
}

/* --width PX, --height PX */
static int opt_size(const cli_option *opt, const char *arg, const char *cmd)
{
	double v;
	if (parse_number(arg, &v) < 0 || v < 1 || v > 20000 || v != floor(v))
		return cli_usage_error(cmd, "invalid %s '%s': expected a whole number of pixels",
				       opt->long_name, arg);
	*(int *)opt->target = (int)v;
	return 0;
}

static int opt_dpi(const cli_option *opt, const char *arg, const char *cmd)
{
	double *dpi = opt->target;
	if (parse_number(arg, dpi) < 0 || *dpi < 10 || *dpi > 1200)
		return cli_usage_error(cmd, "invalid dpi '%s': expected 10 to 1200", arg);
	return 0;
}

/* Returns the index of the first profile argument, or -1 when done (exit code in *rc). */
static int parse_plot_options(int *argc, char **argv, mp_plot_opts *o, const char **output,
			      int *rc)
{
	const cli_option options[] = {
		CLI_STRING('o', "output", "FILE", output, "the image: .png, .svg or .pdf"),
		CLI_STRING('t', "title", "TITLE", &o->title,
			   "the title (default: the profiled command, for one profile)"),
		CLI_FLAG('n', "no-function-ts", &o->no_functions, 1,
			 "leave out function brackets and the flame lane"),
		CLI_FLAG('f', "flame", &o->flame, 1,
			 "draw functions as a flame lane under the memory curve"),
		CLI_FLAG('s', "slope", &o->slope, 1, "add a least-squares trend line to each curve"),
		CLI_CALLBACK('w', "window", "A,B", o, opt_window,
			     "only seconds A to B; 'A,' and ',B' leave one end open"),
		CLI_CALLBACK(0, "width", "PX", &o->width, opt_size,
			     "image width in pixels (default 1000)"),
		CLI_CALLBACK(0, "height", "PX", &o->height, opt_size,
			     "image height in pixels (default 500)"),
		CLI_CALLBACK(0, "dpi", "DPI", &o->dpi, opt_dpi,
			     "PNG resolution; scales the image (default 96)"),
		CLI_NOOP(0, "backend", "NAME", "accepted for memory_profiler's scripts, and ignored"),
		CLI_HELP,
		CLI_VERSION,
		CLI_END,
	};
	const cli_parser parser = {
		options,
		"Usage: mprof plot [options] [FILE|INDEX...]\n\n"
		"Draws profiles (the newest one of the current directory when none is named; an INDEX\n"
		"counts as in 'mprof list', -1 the newest) to a PNG, SVG or PDF image, chosen by the\n"
		"output's extension. Without -o, writes PROFILE.png beside the profile and prints its\n"
		"path. Several profiles are overlaid, each from its own start.\n",
		NULL, 0,
	};
	*argc = cli_protect_negative_index(*argc, argv, options);
	return cli_parse_options(&parser, *argc, argv, rc);
}

/* The default output: the first profile's path with .dat replaced by .png. */
static char *default_output(const char *profile)
{
	size_t n = strlen(profile);
	char *out = malloc(n + 5);
	if (!out)
		return NULL;
	memcpy(out, profile, n + 1);
	if (n > 4 && !strcmp(out + n - 4, ".dat"))
		out[n - 4] = 0;
	strcat(out, ".png");
	return out;
}

/* Reads every profile before anything is drawn. Returns 0, or -1 after printing why; *nread
 * counts the profiles to release either way. */
static int read_profiles(const char **paths, size_t n, mp_profile *profs, const mp_profile **pp,
			 size_t *nread)
{
	for (*nread = 0; *nread < n;) {
		size_t i = (*nread)++;
		if (cli_read_profile(&profs[i], paths[i]) < 0)
			return -1;
		pp[i] = &profs[i];
		if (!profs[i].nmem) {
			cli_error("%s: %s", paths[i], profs[i].lines ? "no memory samples (no MEM lines)"
								     : "empty profile");
			return -1;
		}
	}
	return 0;
}

/* The sentence for mp_plot_write's error `rc` (cairo's own reason in `detail`, if any). */
static void plot_error(int rc, const char *detail, const char *target, const mp_plot_opts *o)
{
	if (detail) /* cairo stopped drawing: its reason */
		cli_error("cannot draw '%s': %s", target, detail);
	else if (rc == MP_EBADSIZE)
		cli_error("image size %dx%d is out of range (200x150 to 20000x20000)",
			  o->width > 0 ? o->width : MP_PLOT_WIDTH,
			  o->height > 0 ? o->height : MP_PLOT_HEIGHT);
	else if (rc == MP_ENOSAMPLES)
		cli_error("%s", mp_strerror(rc));
	else
		cli_error("cannot write '%s': %s", target, mp_strerror(rc));
}

int cmd_plot(int argc, char **argv)
{
	mp_plot_opts o = {0};
	const char *output = NULL;
	int rc = CLI_OK;
	int first = parse_plot_options(&argc, argv, &o, &output, &rc);
	if (first < 0)
		return rc;
	if (output && mp_plot_format_of(output) < 0) {
		cli_error("cannot write '%s': unknown image format (use .png, .svg or .pdf)", output);
		return CLI_USAGE;
	}

	cli_profiles all;
	mp_profile *profs = NULL;
	const mp_profile **pp = NULL;
	char *out_path = NULL;
	size_t nread = 0;
	rc = cli_profiles_resolve(&all, argc - first, argv + first, CLI_PROFILES_SAY_NEWEST);
	if (rc != CLI_OK)
		goto out;
	rc = CLI_FAIL;
	const char **paths = all.paths;
	size_t n = all.count;
	profs = calloc(n, sizeof *profs);
	pp = calloc(n, sizeof *pp);
	out_path = output ? NULL : default_output(paths[0]);
	if (!profs || !pp || (!output && !out_path)) {
		cli_error("out of memory");
		goto out;
	}
	if (read_profiles(paths, n, profs, pp, &nread) < 0)
		goto out;
	const char *target = output ? output : out_path;
	if (cli_check_output(target) < 0)
		goto out;
	const char *detail;
	int prc = mp_plot_write(pp, paths, n, &o, (mp_plot_format)mp_plot_format_of(target), target,
				NULL, &detail);
	if (prc < 0) {
		plot_error(prc, detail, target, &o);
		goto out;
	}
	if (!output)
		printf("%s\n", target);
	rc = CLI_OK;
out:
	for (size_t i = 0; i < nread; i++)
		mp_profile_release(&profs[i]);
	free(out_path);
	free(pp);
	free(profs);
	cli_profiles_release(&all);
	return rc;
}
