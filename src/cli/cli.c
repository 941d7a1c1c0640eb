/* cli.c - what the subcommands share: messages, --version, negative indices, the option
 * tables that parse and print --help, the profiles an invocation names. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* --- Option tables ---------------------------------------------------------------------- */

/* An entry that getopt_long sees and --help may list (not END, not INCLUDE). */
static size_t count_options(const cli_option *t)
{
	size_t n = 0;
	for (; t->type != CLI_OPT_END; t++)
		n += t->type == CLI_OPT_INCLUDE ? count_options(t->target) : 1;
	return n;
}

/* The table with its includes expanded in place: what both getopt_long and --help walk. */
static size_t flatten(const cli_option *t, const cli_option **out)
{
	size_t n = 0;
	for (; t->type != CLI_OPT_END; t++) {
		if (t->type == CLI_OPT_INCLUDE)
			n += flatten(t->target, out + n);
		else
			out[n++] = t;
	}
	return n;
}

/* getopt_long's view of the table. A long option returns its short name when it has one, else
 * 256 + its index; a leading ':' reports a missing value as ':'. */
static void build_getopt(const cli_option **opt, size_t n, int stop_at_operand, char *shortopts,
			 struct option *longopts)
{
	char *s = shortopts;
	size_t nl = 0;
	if (stop_at_operand)
		*s++ = '+';
	*s++ = ':';
	for (size_t i = 0; i < n; i++) {
		const cli_option *o = opt[i];
		if (o->short_name) {
			*s++ = (char)o->short_name;
			if (o->argh)
				*s++ = ':';
		}
		if (o->long_name)
			longopts[nl++] = (struct option){o->long_name,
							 o->argh ? required_argument : no_argument,
							 NULL, o->short_name ? o->short_name : 256 + (int)i};
	}
	*s = 0;
	longopts[nl] = (struct option){NULL, 0, NULL, 0};
}

static const cli_option *find_option(const cli_option **opt, size_t n, int c)
{
	if (c >= 256)
		return (size_t)(c - 256) < n ? opt[c - 256] : NULL;
	for (size_t i = 0; i < n; i++)
		if (opt[i]->short_name == c)
			return opt[i];
	return NULL;
}

/* Whether argv[i], an option, takes the next argument as its value: "--width" (no '=') or a
 * short cluster whose last letter takes one ("-o", "-nT"). */
static int consumes_next(const cli_option **opt, size_t n, const char *arg)
{
	if (arg[0] != '-' || !arg[1])
		return 0;
	if (arg[1] == '-') {
		if (strchr(arg, '='))
			return 0;
		size_t len = strlen(arg + 2);
		const cli_option *match = NULL;
		for (size_t i = 0; i < n; i++) {
			const char *l = opt[i]->long_name;
			if (!l || strncmp(l, arg + 2, len))
				continue;
			if (strlen(l) == len) /* exact */
				return opt[i]->argh != NULL;
			match = match ? NULL : opt[i]; /* a unique prefix, as getopt_long takes it */
		}
		return match && match->argh;
	}
	for (const char *c = arg + 1; *c; c++) {
		const cli_option *o = find_option(opt, n, (unsigned char)*c);
		if (o && o->argh)
			return c[1] == 0; /* the rest of the cluster is its value, or the next arg is */
	}
	return 0;
}

int cli_protect_negative_index(int argc, char **argv, const cli_option *options)
{
	/* Move every negative index behind a "--" at the end, keeping the order of everything
	 * else: "-1 -o x.png" becomes "-o x.png -- -1", so options after the index still work
	 * (getopt_long moves operands to the end anyway). An option's value is never taken for an
	 * index: in "--width -1" the -1 is the width (which is then refused as such). */
	size_t n = count_options(options);
	const cli_option *opt[n + 1];
	flatten(options, opt);
	int dashdash = -1, nneg = 0;
	char is_neg[argc > 0 ? argc : 1];
	memset(is_neg, 0, sizeof is_neg);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			dashdash = i;
			break;
		}
		if (consumes_next(opt, n, argv[i])) {
			i++; /* its value, whatever it looks like */
			continue;
		}
		is_neg[i] = (char)is_negative_index(argv[i]);
		nneg += is_neg[i];
	}
	if (!nneg)
		return argc;
	char *neg[nneg];
	int w = 1, k = 0, stop = dashdash < 0 ? argc : dashdash;
	for (int i = 1; i < stop; i++) {
		if (is_neg[i])
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

/* Acts on one option. Returns -1 to go on, or the exit code that ends the command. */
static int apply_option(const cli_parser *p, const cli_option *o, const char *arg,
			const char *cmd, int used_long)
{
	int rc;
	switch (o->type) {
	case CLI_OPT_FLAG:
		*(int *)o->target = o->value;
		return -1;
	case CLI_OPT_STRING:
		*(const char **)o->target = arg;
		return -1;
	case CLI_OPT_CALLBACK:
		rc = o->fn(o, arg, cmd);
		return rc ? rc : -1;
	case CLI_OPT_NOOP:
		return -1;
	case CLI_OPT_HELP:
		cli_print_help(p, stdout);
		return CLI_OK;
	case CLI_OPT_VERSION:
		cli_print_version();
		return CLI_OK;
	case CLI_OPT_REFUSED:
		/* Named as declared, not as typed: a prefix or a group such as -qE says less. */
		if (used_long || !o->short_name)
			return cli_usage_error(cmd, "option '--%s' %s", o->long_name, o->help);
		return cli_usage_error(cmd, "option '-%c' %s", o->short_name, o->help);
	default:
		return -1;
	}
}

int cli_parse_options(const cli_parser *p, int argc, char **argv, int *rc)
{
	size_t n = count_options(p->options);
	const cli_option *opt[n + 1];
	struct option longopts[n + 1];
	char shortopts[2 * n + 3];
	flatten(p->options, opt);
	build_getopt(opt, n, p->stop_at_operand, shortopts, longopts);
	const char *cmd = argv[0];
	optind = 1;
	opterr = 0;
	for (;;) {
		int li = -1;
		int c = getopt_long(argc, argv, shortopts, longopts, &li);
		if (c == -1)
			return optind;
		const cli_option *o = c == ':' || c == '?' ? NULL : find_option(opt, n, c);
		if (!o) {
			if (c == ':')
				*rc = cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
			else
				*rc = cli_usage_error(cmd, "unknown or ambiguous option '%s'",
						      argv[optind - 1]);
			return -1;
		}
		int done = apply_option(p, o, optarg, cmd, li >= 0);
		if (done >= 0) {
			*rc = done;
			return -1;
		}
	}
}

/* "  -o, --output FILE": the option as --help lists it, before its help. */
static int format_option(const cli_option *o, char *buf, size_t cap)
{
	char sn[8] = "  ";
	if (o->short_name)
		snprintf(sn, sizeof sn, "-%c", o->short_name);
	return snprintf(buf, cap, "  %s%s%s%s%s%s", sn,
			o->short_name && o->long_name ? ", " : o->long_name ? "  " : "",
			o->long_name ? "--" : "", o->long_name ? o->long_name : "",
			o->argh ? " " : "", o->argh ? o->argh : "");
}

static int is_listed(const cli_option *o)
{
	return o->type != CLI_OPT_REFUSED;
}

void cli_print_help(const cli_parser *p, FILE *out)
{
	size_t n = count_options(p->options);
	const cli_option *opt[n + 1];
	flatten(p->options, opt);
	char buf[128];
	int width = 0;
	for (size_t i = 0; i < n; i++) {
		int w = format_option(opt[i], buf, sizeof buf);
		if (is_listed(opt[i]) && w > width)
			width = w;
	}
	width += 3;
	fprintf(out, "%s\nOptions:\n", p->usage);
	for (size_t i = 0; i < n; i++) {
		if (!is_listed(opt[i]))
			continue;
		format_option(opt[i], buf, sizeof buf);
		/* Each line of the help under the first, aligned. */
		const char *h = opt[i]->help;
		int first = 1;
		do {
			const char *nl = strchr(h, '\n');
			int len = nl ? (int)(nl - h) : (int)strlen(h);
			fprintf(out, "%-*s%.*s\n", width, first ? buf : "", len, h);
			h = nl ? nl + 1 : NULL;
			first = 0;
		} while (h && *h);
	}
	if (p->epilog)
		fprintf(out, "\n%s", p->epilog);
}

/* --- Profiles named on the command line -------------------------------------------------- */

int cli_profiles_resolve(cli_profiles *r, int n, char **args, unsigned flags)
{
	memset(r, 0, sizeof *r);
	int rc = mp_profiles_scan(&r->dir, NULL);
	if (rc < 0) {
		cli_error("cannot read the current directory: %s", strerror(-rc));
		return CLI_FAIL;
	}
	if (!(r->paths = calloc(n > 0 ? (size_t)n : 1, sizeof *r->paths))) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
	if (n <= 0) {
		if (!r->dir.count) {
			cli_error("no profile found: looked for mprofile_*.dat files, which "
				  "'mprof run' writes, in the current directory");
			return CLI_FAIL;
		}
		if (flags & CLI_PROFILES_SAY_NEWEST)
			printf("Using last profile data.\n");
		r->paths[r->count++] = r->dir.names[r->dir.count - 1];
		return CLI_OK;
	}
	rc = CLI_OK;
	for (int i = 0; i < n; i++) {
		const char *path = mp_profiles_resolve(&r->dir, args[i]);
		if (!path) {
			if (flags & CLI_PROFILES_TO_REMOVE)
				cli_error("cannot remove '%s': no such profile or index", args[i]);
			else
				cli_error("cannot open '%s': no such file or profile index", args[i]);
			rc = CLI_FAIL;
			if (!(flags & CLI_PROFILES_KEEP_GOING))
				break;
			continue;
		}
		int dup = 0;
		for (size_t k = 0; k < r->count; k++)
			dup |= !strcmp(r->paths[k], path);
		if (!dup)
			r->paths[r->count++] = path;
	}
	return rc;
}

void cli_profiles_release(cli_profiles *r)
{
	free(r->paths);
	mp_profiles_release(&r->dir);
	memset(r, 0, sizeof *r);
}

int cli_check_output(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return 0; /* absent (or unreadable: the write itself will say why) */
	if (S_ISREG(st.st_mode))
		return 0;
	cli_error("cannot write '%s': %s", path,
		  S_ISLNK(st.st_mode)	? "it is a symbolic link"
		  : S_ISDIR(st.st_mode) ? strerror(EISDIR)
					: "it exists and is not a regular file");
	return -1;
}

/* What a command printed must have reached the standard output: a full disk or a closed pipe
 * there is a failure (exit 1), never a silent success. */
int cli_finish_stdout(int rc)
{
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write to the standard output: %s",
			  errno ? strerror(errno) : "write error");
		return rc == CLI_OK ? CLI_FAIL : rc;
	}
	return rc;
}

int cli_run_as(int argc, char **argv, const char *name, int (*cmd)(int, char **))
{
	char **args = calloc((size_t)argc + 2, sizeof *args);
	if (!args) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
	memcpy(args, argv, (size_t)argc * sizeof *args);
	args[0] = (char *)name;
	int rc = cmd(argc, args);
	free(args);
	return rc;
}
