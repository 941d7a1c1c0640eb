/* profiles.h - the profiles in a directory: memory_profiler's mprofile_YYYYMMDDhhmmss.dat files.
 *
 * Sorted by name, which is chronological: index 0 is the oldest, -1 the newest.
 */
#ifndef MP_PROFILES_H
#define MP_PROFILES_H

#include <stddef.h>

typedef struct mp_profiles {
	char **names; /* file names, sorted */
	size_t count;
} mp_profiles;

/* Fills `p` with the profile names in directory `dir` (NULL: the current directory).
 * Returns 0, or -errno; on error `p` is empty. */
int mp_profiles_scan(mp_profiles *p, const char *dir);
void mp_profiles_release(mp_profiles *p);

/* Resolves one command-line argument as memory_profiler does: an existing path is itself;
 * otherwise an integer (negative counts from the newest) indexes `p`. Returns the path (owned
 * by `arg` or `p`), or NULL when it is neither. */
const char *mp_profiles_resolve(const mp_profiles *p, const char *arg);

#endif
