/* test_dat_util.h - reading profiles in tests, with the reader's error formatted as the CLI
 * formats it ("x.dat:12: MEM: ...", "cannot open 'x': ..."), into the test's `err` buffer. */
#ifndef TEST_DAT_UTIL_H
#define TEST_DAT_UTIL_H

#include <stdio.h>

#include "dat.h"

/* A message cut to the buffer is what the tests want: no warning for it. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

static inline int test_dat_format(int rc, const char *name, const mp_dat_error *e, char *err,
				  size_t errlen)
{
	if (rc == 0)
		err[0] = 0;
	else if (e->line)
		snprintf(err, errlen, "%s:%zu: %s", name, e->line, e->what);
	else if (e->what[0])
		snprintf(err, errlen, "%s: %s", name, e->what);
	else
		snprintf(err, errlen, "cannot %s '%s': %s", e->opening ? "open" : "read", name,
			 mp_strerror(rc));
	return rc;
}

static inline int test_read(mp_profile *p, const char *path, char *err, size_t errlen)
{
	mp_dat_error e;
	return test_dat_format(mp_profile_read(p, path, &e), path, &e, err, errlen);
}

static inline int test_parse(mp_profile *p, const char *data, size_t len, const char *name,
			     char *err, size_t errlen)
{
	mp_dat_error e;
	return test_dat_format(mp_profile_parse(p, data, len, &e), name, &e, err, errlen);
}

#endif
