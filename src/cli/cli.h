/* cli.h - the mprof command line: one cmd_<name>() per subcommand, and what they share.
 *
 * Only the CLI prints and chooses exit codes: 0 ok, 1 failure, 2 usage; `run` passes the
 * profiled program's own status through. Messages go to stderr as
 * "mprof: cannot open 'x.dat': No such file or directory".
 */
#ifndef MPROF_CLI_H
#define MPROF_CLI_H

#include <stdio.h>

#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

/* Each subcommand gets argv with argv[0] = the subcommand's name. */
int cmd_run(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_clean(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_peak(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_export(int argc, char **argv);

/* Prints "mprof: <formatted message>\n" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "mprof <cmd>: <message>" and "Try 'mprof <cmd> --help'." to stderr; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* memory_profiler's negative indices, kept for drop-in use: `mprof rm -1`, `mprof plot -1 -o
 * x.png`. Each argument that looks like one ("-1") moves behind a "--" at the end. Returns the
 * new argc; argv must have room for one more pointer (main guarantees it). */
int cli_protect_negative_index(int argc, char **argv);

/* The cases every subcommand's getopt_long loop shares, for its `default:`: 'h' (--help)
 * prints `usage` to stdout and 'V' (--version) the version, both returning CLI_OK; ':' (a
 * missing value) and anything else are usage errors (CLI_USAGE). Reads optind. */
int cli_option_default(int c, char **argv, const char *usage);

struct mp_profile;

/* Reads the profile at `path`; on failure prints why ("cannot open 'x.dat': ...",
 * "x.dat:12: MEM: 'abc' is not a number") and leaves `p` empty. Returns 0 or -1. */
int cli_read_profile(struct mp_profile *p, const char *path);

/* Prints the version line for `--version`. */
void cli_print_version(void);

#endif
