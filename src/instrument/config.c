/* config.c - the grammar of MPROF_FUNCTIONS and MPROF_MIN_DURATION (config.h). */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = 0;
	return s;
}

int mpi_filter_init(mpi_filter *f, const char *spec, int *bad)
{
	memset(f, 0, sizeof *f);
	size_t n = 1;
	for (const char *p = spec; *p; p++)
		n += *p == ',';
	f->text = strdup(spec);
	f->include = calloc(n + 1, sizeof *f->include);
	f->exclude = calloc(n + 1, sizeof *f->exclude);
	if (!f->text || !f->include || !f->exclude) {
		mpi_filter_release(f);
		return -ENOMEM;
	}
	char *p = f->text;
	for (;;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = 0;
		char *pat = trim(p);
		int excl = *pat == '!';
		if (excl)
			pat = trim(pat + 1);
		if (!*pat) {
			if (bad)
				*bad = (int)(p - f->text);
			mpi_filter_release(f);
			return -EINVAL;
		}
		if (excl)
			f->exclude[f->nexcl++] = pat;
		else
			f->include[f->nincl++] = pat;
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

void mpi_filter_release(mpi_filter *f)
{
	free(f->text);
	free(f->include);
	free(f->exclude);
	memset(f, 0, sizeof *f);
}

static int matches(char **pats, int n, const char *name, const char *bare)
{
	for (int i = 0; i < n; i++)
		if (fnmatch(pats[i], name, 0) == 0 || (bare && fnmatch(pats[i], bare, 0) == 0))
			return 1;
	return 0;
}

int mpi_filter_keeps(const mpi_filter *f, const char *name, const char *bare)
{
	if (f->nincl && !matches(f->include, f->nincl, name, bare))
		return 0;
	return !matches(f->exclude, f->nexcl, name, bare);
}

int mpi_parse_duration(const char *s, long long *ns)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || !isfinite(v) || v < 0)
		return -EINVAL;
	double scale = 1e9;
	if (!strcmp(end, "ns"))
		scale = 1;
	else if (!strcmp(end, "us"))
		scale = 1e3;
	else if (!strcmp(end, "ms"))
		scale = 1e6;
	else if (*end && strcmp(end, "s"))
		return -EINVAL;
	if (v * scale > 1e16)
		return -EINVAL;
	*ns = (long long)(v * scale + 0.5);
	return 0;
}
