/* profile.h - reading a .dat profile (docs/dat-format.md) into memory: plot, peak, export.
 *
 * Reads every line memory_profiler writes and every line of ours, in any order: the arrays
 * come out sorted by time whatever the order of the lines. Unknown line types are skipped.
 * Malformed input is refused with "file:line: what is wrong"; no input, whatever its bytes,
 * makes the reader crash, loop or read out of bounds (tests/fuzz/fuzz_profile.c).
 *
 * Units as in the file: memory in MiB, times in epoch seconds (subtract t_first for the
 * seconds since the start that plots show).
 */
#ifndef MP_PROFILE_H
#define MP_PROFILE_H

#include <stddef.h>

/* Errors, besides -errno from opening and reading the file. */
#define MP_PROFILE_EMALFORMED (-1000) /* a line that is not what its type says */
#define MP_PROFILE_ENOMEM (-1001)

typedef struct mp_point {
	double t;   /* epoch seconds */
	double mem; /* MiB */
} mp_point;

/* A FUNC line: one finished bracket. */
typedef struct mp_call {
	size_t fn;          /* index into mp_profile.fnames */
	int level;          /* nesting level, 0 outermost; -1 for a legacy 5-field line */
	long pid;           /* 0: the profiled program itself; else FUNC's 7th field */
	double t0, m0;      /* entry */
	double t1, m1;      /* exit */
} mp_call;

/* A GC line: one collection. */
typedef struct mp_gc {
	int gen;
	double t0, m0, t1, m1;
	long collected, uncollectable, candidates; /* candidates -1: unknown */
	long pid;
} mp_gc;

/* A MARK line. */
typedef struct mp_mark {
	char *name; /* decoded */
	double t, mem;
	long pid;
} mp_mark;

/* One descendant's CHLD samples. */
typedef struct mp_child {
	long pid;
	mp_point *pts; /* sorted by time; points into the profile's storage */
	size_t n;
} mp_child;

typedef struct mp_meta {
	int present;         /* a META line was read */
	double interval;     /* seconds; 0 unknown */
	char backend[8];     /* "rss", "pss", "uss"; "" unknown */
	int peaks;           /* 1: PEAK lines are being written (peaks=hwm) */
	char children[16];   /* "none", "sum", "each", "sum,each"; "" unknown */
	long pid;            /* 0 unknown */
	char version[16];    /* the writer's version; "" unknown */
} mp_meta;

typedef struct mp_profile {
	char *cmdline;          /* the last CMDLINE's text without its newline; NULL if none */
	mp_meta meta;

	mp_point *mem;          /* MEM samples, sorted by time */
	size_t nmem;
	mp_point *peaks;        /* PEAK lines: the true peak of the interval ending at t */
	size_t npeaks;
	mp_call *calls;         /* FUNC lines, sorted by entry time */
	size_t ncalls;
	char **fnames;          /* function names (decoded), in order of first appearance */
	size_t nfnames;
	mp_gc *gcs;             /* GC lines, sorted by start time */
	size_t ngcs;
	mp_mark *marks;         /* MARK lines, sorted by time */
	size_t nmarks;
	mp_child *children;     /* CHLD lines by pid, in order of first appearance */
	size_t nchildren;

	int has_exit;           /* an EXIT line was read */
	int exit_status;
	double exit_t;

	size_t lines;           /* lines read */
	double t_first, t_last; /* the earliest and latest time in the file; 0 when it has none */
} mp_profile;

/* Reads the profile at `path` into `p` (which need not be initialised). On error, writes one
 * line without newline into `err` (`errlen` bytes), such as "cannot open 'x.dat': No such file
 * or directory" or "x.dat:12: MEM: 'abc' is not a number", leaves `p` empty and returns -errno
 * or MP_PROFILE_E*. Returns 0 on success; the caller then owns `p` (mp_profile_release). */
int mp_profile_read(mp_profile *p, const char *path, char *err, size_t errlen);

/* The same over `len` bytes in memory; `name` is the file name that messages give. */
int mp_profile_parse(mp_profile *p, const char *data, size_t len, const char *name, char *err,
		     size_t errlen);

/* Frees what `p` holds and leaves it empty. */
void mp_profile_release(mp_profile *p);

/* The true peak: the highest MEM or PEAK value, and the time it was read; -1 when the file
 * has neither. */
int mp_profile_peak(const mp_profile *p, double *mem, double *t);

/* `mprof peak --func NAME`: the highest MEM (or PEAK) value read while some call of function
 * `name` was running (entry <= t <= exit), as memory_profiler counts it. Returns 0, -1 when no
 * function has that name, -2 when no sample fell inside its calls. */
int mp_profile_peak_func(const mp_profile *p, const char *name, double *mem);

/* The index of function `name` in p->fnames, or -1. */
long mp_profile_find_func(const mp_profile *p, const char *name);

/* The highest of a child's samples; its pid's points must be non-empty. */
double mp_child_peak(const mp_child *c);

/* Decodes a .dat name field (%XX escapes, docs/dat-format.md) into `out` (`cap` bytes, NUL
 * terminated). A '%' not followed by two hex digits stays as it is. Returns the length. */
size_t mp_profile_decode_name(const char *s, size_t len, char *out, size_t cap);

/* The message for an error code returned above (errno codes included). */
const char *mp_profile_strerror(int err);

#endif
