/* cli.h - the mprof command line: one cmd_<name>() per subcommand, and what they share.
 *
 * Only the CLI prints and chooses exit codes: 0 ok, 1 failure, 2 usage; `run` passes the
 * profiled program's own status through. Messages go to stderr as
 * "mprof: cannot open 'x.dat': No such file or directory".
 *
 * Each subcommand declares its options once, in a table of cli_option (git's parse-options):
 * the same table drives getopt_long and prints --help, so the two cannot disagree.
 */
#ifndef MPROF_CLI_H
#define MPROF_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "profiles.h"

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
int cmd_top(int argc, char **argv);

/* The path of the mprof-live executable (the live view, which alone links ncurses): beside
 * this executable when it is there, else the installed one. */
void cli_live_path(char *buf, size_t cap);

/* Prints "mprof: <formatted message>\n" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "mprof <cmd>: <message>" and "Try 'mprof <cmd> --help'." to stderr; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));


/* --- Option tables ---------------------------------------------------------------------- */

enum cli_option_type {
	CLI_OPT_END,	  /* ends a table */
	CLI_OPT_FLAG,	  /* no value; stores `value` in *(int *)target */
	CLI_OPT_STRING,	  /* a value; stores it (borrowed from argv) in *(const char **)target */
	CLI_OPT_CALLBACK, /* a value; fn checks it and stores it through target */
	CLI_OPT_NOOP,	  /* accepted for compatibility (with its value, if argh) and ignored */
	CLI_OPT_HELP,	  /* prints the help to stdout; the command ends with CLI_OK */
	CLI_OPT_VERSION,  /* prints the version; the command ends with CLI_OK */
	CLI_OPT_REFUSED,  /* another command's option: a usage error "option 'X' <help>"; unlisted */
	CLI_OPT_INCLUDE,  /* the entries of the table at target, here */
};

typedef struct cli_option cli_option;

/* A CLI_OPT_CALLBACK's check: returns 0, or an exit code (CLI_USAGE) after printing why, for
 * which it has the subcommand's name `cmd`. */
typedef int cli_option_fn(const cli_option *opt, const char *arg, const char *cmd);

struct cli_option {
	enum cli_option_type type;
	int short_name;	       /* 'o' for -o; 0 for none */
	const char *long_name; /* "output" for --output; NULL for none */
	const char *argh;      /* the value's name in --help ("FILE"); NULL: takes no value */
	const char *help;      /* one line per '\n', printed aligned after the option */
	void *target;
	int value;	       /* CLI_OPT_FLAG: what it stores */
	cli_option_fn *fn;     /* CLI_OPT_CALLBACK */
};

#define CLI_FLAG(s, l, t, v, h) {CLI_OPT_FLAG, (s), (l), NULL, (h), (t), (v), NULL}
#define CLI_STRING(s, l, a, t, h) {CLI_OPT_STRING, (s), (l), (a), (h), (t), 0, NULL}
#define CLI_CALLBACK(s, l, a, t, f, h) {CLI_OPT_CALLBACK, (s), (l), (a), (h), (t), 0, (f)}
#define CLI_NOOP(s, l, a, h) {CLI_OPT_NOOP, (s), (l), (a), (h), NULL, 0, NULL}
#define CLI_REFUSED(s, l, a, why) {CLI_OPT_REFUSED, (s), (l), (a), (why), NULL, 0, NULL}
#define CLI_INCLUDE(table) {CLI_OPT_INCLUDE, 0, NULL, NULL, NULL, (void *)(table), 0, NULL}
#define CLI_HELP {CLI_OPT_HELP, 'h', "help", NULL, "print this help", NULL, 0, NULL}
#define CLI_VERSION {CLI_OPT_VERSION, 0, "version", NULL, "print mprof's version", NULL, 0, NULL}
#define CLI_END {CLI_OPT_END, 0, NULL, NULL, NULL, NULL, 0, NULL}

/* A subcommand's options and the text around them in its --help. */
/* memory_profiler's negative indices, kept for drop-in use: `mprof rm -1`, `mprof plot -1 -o
 * x.png`. Each argument that looks like one ("-1") moves behind a "--" at the end,
 * unless it is the value of an option of `options` ("--width -1"). Returns the
 * new argc; argv must have room for one more pointer (main guarantees it). */
int cli_protect_negative_index(int argc, char **argv, const cli_option *options);

typedef struct cli_parser {
	const cli_option *options;
	const char *usage;  /* before the options: "Usage: mprof x ...\n\nWhat it does.\n" */
	const char *epilog; /* after them, or NULL */
	int stop_at_operand; /* run/attach: the first operand (the program) ends the options */
} cli_parser;

/* Parses argv's options (argv[0] the subcommand) as p->options declare them, with unique
 * long-option prefixes and "--". --help, --version, a missing value, an unknown or ambiguous
 * option and a refused one end the command: returns -1 with its exit code in *rc (CLI_OK or
 * CLI_USAGE), having printed. Otherwise returns the index of the first operand. */
int cli_parse_options(const cli_parser *p, int argc, char **argv, int *rc);

/* Prints p's --help: usage, then "Options:" with each listed option, then the epilog. */
void cli_print_help(const cli_parser *p, FILE *out);

/* --- Profiles named on the command line -------------------------------------------------- */

/* The profiles an invocation names, memory_profiler's way. */
typedef struct cli_profiles {
	mp_profiles dir;    /* mprofile_*.dat in the current directory, oldest first */
	const char **paths; /* the distinct profiles named, in order; borrowed from argv or dir */
	size_t count;
} cli_profiles;

#define CLI_PROFILES_SAY_NEWEST 1u  /* none named: print "Using last profile data." (plot, peak) */
#define CLI_PROFILES_KEEP_GOING 2u  /* report every argument naming nothing, not the first only */
#define CLI_PROFILES_TO_REMOVE 4u   /* such an argument is "cannot remove 'X'" (rm) */

/* Resolves the operands args[0..n): each an existing path, else an index into the current
 * directory's profiles (-1 the newest); none names the newest. Prints each failure: "cannot
 * read the current directory", "cannot open 'X': no such file or profile index", "no profile
 * found". Returns CLI_OK, or CLI_FAIL with r->paths holding what did resolve. Release `r`
 * either way. */
int cli_profiles_resolve(cli_profiles *r, int n, char **args, unsigned flags);
void cli_profiles_release(cli_profiles *r);

struct mp_profile;

/* The exit code once what the command printed is flushed: `rc`, or CLI_FAIL (after saying
 * so) when the standard output could not take it (a full disk, a closed pipe). */
int cli_finish_stdout(int rc);

/* The main of a helper executable (mprof-plot, mprof-live) that is one subcommand of mprof:
 * runs `cmd` on argv with argv[0] replaced by `name`, with room for the "--" that
 * cli_protect_negative_index may insert. Returns the command's exit code. */
int cli_run_as(int argc, char **argv, const char *name, int (*cmd)(int, char **));

/* Whether `path` may be written as an output file: absent, or an existing regular file (to be
 * replaced). A device node, FIFO, socket, directory or symbolic link is refused, also for
 * root, who could otherwise replace /dev/null with a file. Returns 0, or -1 after printing
 * "cannot write 'x': ...". */
int cli_check_output(const char *path);

/* Reads the profile at `path`; on failure prints why ("cannot open 'x.dat': ...",
 * "x.dat:12: MEM: 'abc' is not a number") and leaves `p` empty. Returns 0 or -1. */
int cli_read_profile(struct mp_profile *p, const char *path);

/* Prints the version line for `--version`. */
void cli_print_version(void);

#endif
