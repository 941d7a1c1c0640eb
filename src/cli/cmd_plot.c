/* cmd_plot.c - mprof plot: profiles to PNG, SVG or PDF, with memory_profiler's options.
 *
 * Runs in the mprof-plot executable (the only one linked with cairo). Every profile is read
 * before anything is written: a bad profile, index or option writes no image at all.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plot.h"
#include "profile.h"
#include "profiles.h"

static const char usage[] =
	"Usage: mprof plot [options] [FILE|INDEX...]\n\n"
	"Draws profiles (the newest one of the current directory when none is named; an INDEX\n"
	"counts as in 'mprof list', -1 the newest) to a PNG, SVG or PDF image, chosen by the\n"
	"output's extension. Without -o, writes PROFILE.png beside the profile and prints its\n"
	"path. Several profiles are overlaid, each from its own start.\n\n"
	"  -o, --output FILE      the image: .png, .svg or .pdf\n"
	"  -t, --title TITLE      the title (default: the profiled command, for one profile)\n"
	"  -n, --no-function-ts   leave out function brackets and the flame lane\n"
	"  -f, --flame            draw functions as a flame lane under the memory curve\n"
	"  -s, --slope            add a least-squares trend line to each curve\n"
	"  -w, --window A,B       only seconds A to B; 'A,' and ',B' leave one end open\n"
	"      --width PX         image width in pixels (default 1000)\n"
	"      --height PX        image height in pixels (default 500)\n"
	"      --dpi DPI          PNG resolution; scales the image (default 96)\n"
	"      --backend NAME     accepted for memory_profiler's scripts, and ignored\n"
	"  -h, --help             print this help\n";

enum { OPT_WIDTH = 256, OPT_HEIGHT, OPT_DPI, OPT_BACKEND };

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

static int parse_size(const char *cmd, const char *opt, const char *s, int *out)
{
	double v;
	if (parse_number(s, &v) < 0 || v < 1 || v > 20000 || v != floor(v))
		return cli_usage_error(cmd, "invalid %s '%s': expected a whole number of pixels", opt, s);
	*out = (int)v;
	return 0;
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

int cmd_plot(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"title", required_argument, NULL, 't'},
		{"no-function-ts", no_argument, NULL, 'n'},
		{"output", required_argument, NULL, 'o'},
		{"window", required_argument, NULL, 'w'},
		{"flame", no_argument, NULL, 'f'},
		{"slope", no_argument, NULL, 's'},
		{"backend", required_argument, NULL, OPT_BACKEND},
		{"width", required_argument, NULL, OPT_WIDTH},
		{"height", required_argument, NULL, OPT_HEIGHT},
		{"dpi", required_argument, NULL, OPT_DPI},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	mp_plot_opts o = {0};
	const char *output = NULL;
	argc = cli_protect_negative_index(argc, argv);
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":t:no:w:fsh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			o.title = optarg;
			break;
		case 'n':
			o.no_functions = 1;
			break;
		case 'o':
			output = optarg;
			break;
		case 'w':
			if (parse_window(optarg, &o) < 0)
				return cli_usage_error(argv[0], "invalid window '%s': expected A,B "
								"(seconds, A < B; 'A,' or ',B' for an open end)",
						       optarg);
			break;
		case 'f':
			o.flame = 1;
			break;
		case 's':
			o.slope = 1;
			break;
		case OPT_BACKEND:
			break;
		case OPT_WIDTH:
			if (parse_size(argv[0], "width", optarg, &o.width))
				return CLI_USAGE;
			break;
		case OPT_HEIGHT:
			if (parse_size(argv[0], "height", optarg, &o.height))
				return CLI_USAGE;
			break;
		case OPT_DPI:
			if (parse_number(optarg, &o.dpi) < 0 || o.dpi < 10 || o.dpi > 1200)
				return cli_usage_error(argv[0], "invalid dpi '%s': expected 10 to 1200",
						       optarg);
			break;
		default:
			return cli_option_default(c, argv, usage);
		}
	}
	if (output && mp_plot_format_of(output) < 0) {
		cli_error("cannot write '%s': unknown image format (use .png, .svg or .pdf)", output);
		return CLI_USAGE;
	}

	mp_profiles all;
	int rc = mp_profiles_scan(&all, NULL);
	if (rc < 0) {
		cli_error("cannot read the current directory: %s", strerror(-rc));
		return CLI_FAIL;
	}
	size_t cap = optind < argc ? (size_t)(argc - optind) : 1, n = 0;
	const char **paths = calloc(cap, sizeof *paths);
	mp_profile *profs = calloc(cap, sizeof *profs);
	const mp_profile **pp = calloc(cap, sizeof *pp);
	char *out_path = NULL;
	rc = CLI_FAIL;
	if (!paths || !profs || !pp) {
		cli_error("out of memory");
		goto out;
	}
	if (optind >= argc) {
		if (!all.count) {
			cli_error("no profile found: looked for mprofile_*.dat files, which "
				  "'mprof run' writes, in the current directory");
			goto out;
		}
		printf("Using last profile data.\n");
		paths[n++] = all.names[all.count - 1];
	}
	for (int i = optind; i < argc; i++) {
		const char *path = mp_profiles_resolve(&all, argv[i]);
		if (!path) {
			cli_error("cannot open '%s': no such file or profile index", argv[i]);
			goto out;
		}
		int dup = 0;
		for (size_t k = 0; k < n; k++)
			dup |= !strcmp(paths[k], path);
		if (!dup)
			paths[n++] = path;
	}
	size_t nread = 0;
	for (; nread < n; nread++) {
		if (cli_read_profile(&profs[nread], paths[nread]) < 0)
			goto release;
		pp[nread] = &profs[nread];
		if (!profs[nread].nmem) {
			cli_error("%s: %s", paths[nread], profs[nread].lines ? "no memory samples (no MEM lines)"
									     : "empty profile");
			nread++;
			goto release;
		}
	}
	out_path = output ? NULL : default_output(paths[0]);
	if (!output && !out_path) {
		cli_error("out of memory");
		goto release;
	}
	const char *target = output ? output : out_path;
	const char *detail;
	int prc = mp_plot_write(pp, paths, n, &o, (mp_plot_format)mp_plot_format_of(target), target,
				NULL, &detail);
	if (prc < 0) {
		if (detail) /* cairo stopped drawing: its reason */
			cli_error("cannot draw '%s': %s", target, detail);
		else if (prc == MP_EBADSIZE)
			cli_error("image size %dx%d is out of range (200x150 to 20000x20000)",
				  o.width > 0 ? o.width : MP_PLOT_WIDTH,
				  o.height > 0 ? o.height : MP_PLOT_HEIGHT);
		else if (prc == MP_ENOSAMPLES)
			cli_error("%s", mp_strerror(prc));
		else
			cli_error("cannot write '%s': %s", target, mp_strerror(prc));
		goto release;
	}
	if (!output)
		printf("%s\n", target);
	rc = CLI_OK;
release:
	for (size_t i = 0; i < nread; i++)
		mp_profile_release(&profs[i]);
out:
	free(out_path);
	free(pp);
	free(profs);
	free(paths);
	mp_profiles_release(&all);
	return rc;
}
