/* profiles.c - find, order and name the mprofile_*.dat files of a directory. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dat.h"
#include "profiles.h"

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int mp_profiles_scan(mp_profiles *p, const char *dir)
{
	p->names = NULL;
	p->count = 0;
	DIR *d = opendir(dir ? dir : ".");
	if (!d)
		return -errno;
	size_t cap = 0;
	struct dirent *e;
	int err = 0;
	while ((e = readdir(d))) {
		if (!mp_dat_is_default_name(e->d_name))
			continue;
		if (p->count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **nn = realloc(p->names, ncap * sizeof *nn);
			if (!nn) {
				err = -ENOMEM;
				break;
			}
			p->names = nn;
			cap = ncap;
		}
		if (!(p->names[p->count] = strdup(e->d_name))) {
			err = -ENOMEM;
			break;
		}
		p->count++;
	}
	closedir(d);
	if (err) {
		mp_profiles_release(p);
		return err;
	}
	if (p->count)
		qsort(p->names, p->count, sizeof *p->names, cmp_names);
	return 0;
}

void mp_profiles_release(mp_profiles *p)
{
	for (size_t i = 0; i < p->count; i++)
		free(p->names[i]);
	free(p->names);
	p->names = NULL;
	p->count = 0;
}

const char *mp_profiles_resolve(const mp_profiles *p, const char *arg)
{
	struct stat st;
	if (stat(arg, &st) == 0)
		return arg;
	char *end;
	errno = 0;
	long i = strtol(arg, &end, 10);
	if (end == arg || *end || errno)
		return NULL;
	if (i < 0)
		i += (long)p->count;
	if (i < 0 || (size_t)i >= p->count)
		return NULL;
	return p->names[i];
}
