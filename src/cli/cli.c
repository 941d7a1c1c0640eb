/* cli.c - what the subcommands share: messages, --version, negative indices. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

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
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return argc;
		if (is_negative_index(argv[i])) {
			memmove(argv + i + 1, argv + i, (size_t)(argc - i + 1) * sizeof *argv);
			argv[i] = (char *)"--";
			return argc + 1;
		}
	}
	return argc;
}

void cli_print_version(void)
{
	printf("mprof (gclab) %s\n", GCLAB_VERSION);
}
