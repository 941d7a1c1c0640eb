/* main.c - mprof's entry point: finds the subcommand in a table and hands it argv. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{"run", cmd_run, "run a program and sample its memory into a .dat profile"},
	{"attach", cmd_attach, "sample a running process, by pid or name, until it exits"},
	{"plot", cmd_plot, "draw profiles to PNG, SVG or PDF"},
	{"peak", cmd_peak, "print the peak memory of profiles"},
	{"list", cmd_list, "list the profiles in the current directory"},
	{"rm", cmd_rm, "remove profiles by index or name"},
	{"clean", cmd_clean, "remove every profile in the current directory"},
	{"export", cmd_export, "write a profile's samples, brackets and GC runs as CSV or JSON"},
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: mprof <command> [options] [args]\n\n"
		     "A memory profiler for any program, compatible with memory_profiler's mprof.\n\n"
		     "Commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nmprof <command> --help describes each command. mprof --version prints the "
		     "version.\nTypical use:\n  mprof run -o prof.dat ./program args\n"
		     "  mprof plot -o prof.png prof.dat\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return CLI_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		cli_print_version();
		return CLI_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		/* Room for the "--" that cli_protect_negative_index may insert. */
		char **args = calloc((size_t)argc + 1, sizeof *args);
		if (!args) {
			cli_error("out of memory");
			return CLI_FAIL;
		}
		memcpy(args, argv + 1, (size_t)(argc - 1) * sizeof *args);
		int rc = commands[i].fn(argc - 1, args);
		free(args);
		return cli_finish_stdout(rc);
	}
	cli_error("'%s' is not an mprof command; see 'mprof --help'", argv[1]);
	return CLI_USAGE;
}
