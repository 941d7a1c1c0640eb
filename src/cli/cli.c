/* cli.c - what the subcommands share: messages, --version, negative indices. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dat.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("mprof: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "mprof %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'mprof %s --help'.\n", cmd);
	return CLI_USAGE;
}

static int is_negative_index(const char *s)
{
	if (s[0] != '-' || !s[1])
		return 0;
	for (s++; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int cli_protect_negative_index(int argc, char **argv)
{
	/* Move every negative index behind a "--" at the end, keeping the order of everything
	 * else: "-1 -o x.png" becomes "-o x.png -- -1", so options after the index still work
	 * (getopt_long moves operands to the end anyway). */
	int dashdash = -1, nneg = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			dashdash = i;
			break;
		}
		nneg += is_negative_index(argv[i]);
	}
	if (!nneg)
		return argc;
	char *neg[nneg];
	int w = 1, k = 0, stop = dashdash < 0 ? argc : dashdash;
	for (int i = 1; i < stop; i++) {
		if (is_negative_index(argv[i]))
			neg[k++] = argv[i];
		else
			argv[w++] = argv[i];
	}
	if (dashdash < 0) {
		argv[w++] = (char *)"--";
	} else {
		for (int i = dashdash; i < argc; i++)
			argv[w++] = argv[i];
	}
	for (int i = 0; i < nneg; i++)
		argv[w++] = neg[i];
	argv[w] = NULL;
	return w;
}

int cli_option_default(int c, char **argv, const char *usage)
{
	switch (c) {
	case 'h':
		fputs(usage, stdout);
		return CLI_OK;
	case 'V':
		cli_print_version();
		return CLI_OK;
	case ':':
		return cli_usage_error(argv[0], "option '%s' needs a value", argv[optind - 1]);
	default:
		return cli_usage_error(argv[0], "unknown or ambiguous option '%s'", argv[optind - 1]);
	}
}

void cli_print_version(void)
{
	printf("mprof (gclab) %s\n", GCLAB_VERSION);
}

int cli_read_profile(mp_profile *p, const char *path)
{
	mp_dat_error e;
	int rc = mp_profile_read(p, path, &e);
	if (rc == 0) {
		if (p->torn)
			fprintf(stderr, "mprof: warning: %s: the last line was cut short (a killed "
					"run?) and is ignored\n", path);
		return 0;
	}
	if (e.line)
		cli_error("%s:%zu: %s", path, e.line, e.what);
	else if (e.what[0])
		cli_error("%s: %s", path, e.what);
	else
		cli_error("cannot %s '%s': %s", e.opening ? "open" : "read", path, mp_strerror(rc));
	return -1;
}
