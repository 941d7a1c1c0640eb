/* dat.h - the .dat profile format, both directions, in one place (docs/dat-format.md).
 *
 * The writer (dat_write.c) and the reader (dat_read.c) sit side by side and share this
 * header's grammar: the line types, the name codec, the command-line and META builders, the
 * default file names and the memory backends. Whatever the writer writes, the reader reads.
 *
 * Writing: lines collect in a buffer that goes to the file with one write() of whole lines, at
 * the latest MP_DAT_FLUSH_NS after the oldest of them was added: a profiler killed with SIGKILL
 * leaves a file of whole lines holding everything older than that. A write error (a full disk)
 * is kept in `err`; the file is cut back to its last whole line and later lines are dropped, so
 * the run itself goes on undisturbed.
 *
 * Reading: every line memory_profiler writes and every line of ours, in any order; the arrays
 * come out sorted by time whatever the order of the lines. Unknown line types are skipped.
 * Malformed input is refused with MP_EMALFORMED and "line N: what is wrong"; no input, whatever
 * its bytes, makes the reader crash, loop or read out of bounds (tests/fuzz/).
 * Units in memory as in the file: MiB and epoch seconds.
 *
 * Errors follow error.h: 0, or -errno / MP_E*.
 */
#ifndef MP_DAT_H
#define MP_DAT_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "error.h"

/* --- shared grammar ------------------------------------------------------------------------ */

typedef enum mp_backend {
	MP_BACKEND_RSS, /* resident set size (statm): memory_profiler's psutil default */
	MP_BACKEND_PSS, /* proportional set size (smaps_rollup): shared pages divided */
	MP_BACKEND_USS, /* unique set size (smaps_rollup private pages) */
} mp_backend;

/* Parses "rss", "pss", "uss" and memory_profiler's "psutil", "psutil_pss", "psutil_uss".
 * Returns 0 and sets *out, or MP_EBADNAME for any other name. */
int mp_backend_parse(const char *name, mp_backend *out);
const char *mp_backend_name(mp_backend b);

/* The limits of the grammar's integer fields: the reader refuses anything outside them, so the
 * trace channel accepts nothing outside them either (whatever mprof writes, mprof reads). */
#define MP_DAT_PID_MAX 2147483647L
#define MP_DAT_LEVEL_MAX 1000000L
#define MP_DAT_GEN_MAX 1000L
#define MP_DAT_COUNT_MAX 1000000000000000LL /* collected objects and the like */
#define MP_DAT_MEM_MAX (1LL << 60)          /* bytes: memory fields, -1 meaning unknown */
#define MP_DAT_LINE_MAX (4 << 20)           /* the longest line the reader takes */

/* Encodes `name` for a .dat field: space, '%' and bytes below 0x21 or 0x7f as %XX. Writes at
 * most `cap`-1 bytes and a NUL into `out`; returns the length written. */
size_t mp_dat_encode_name(const char *name, size_t len, char *out, size_t cap);

/* Decodes a .dat name field (%XX escapes) into `out` (`cap` bytes, NUL terminated). A '%' not
 * followed by two hex digits stays as it is. Returns the length. */
size_t mp_dat_decode_name(const char *s, size_t len, char *out, size_t cap);

/* Formats the command line as memory_profiler does: arguments joined by spaces, one holding a
 * space or tab wrapped in single quotes. Returns the length (output cut to cap-1). */
size_t mp_dat_format_cmdline(char *const *argv, char *out, size_t cap);

/* A Python-list repr of `len` bytes of NUL-separated arguments (a /proc/PID/cmdline), as
 * memory_profiler writes CMDLINE for attach by name: ['python3', 'x.py']. */
void mp_dat_format_argv_repr(const char *args, size_t len, char *out, size_t cap);

/* Where a run's PEAK lines come from (META's `peaks`; docs/peaks.md). */
typedef enum mp_peak_source {
	MP_PEAKS_NONE,  /* no PEAK lines */
	MP_PEAKS_HWM,   /* the untouched VmHWM: a PEAK for each interval holding a new all-time high */
	MP_PEAKS_RESET, /* VmHWM reset through clear_refs after each reading (changes the program's
			 * own peak figures; only on request) */
	MP_PEAKS_BPF,   /* the eBPF rss_stat program: each interval's maximum and its time */
} mp_peak_source;

/* "none", "hwm", "reset", "bpf". */
const char *mp_peak_source_name(mp_peak_source s);
/* Parses one of those names. Returns 0 and sets *out, or MP_EBADNAME. */
int mp_peak_source_parse(const char *name, mp_peak_source *out);

/* What the META line says about a run (docs/dat-format.md). */
typedef struct mp_dat_run_info {
	double interval;     /* seconds */
	mp_backend backend;
	mp_peak_source peaks;
	const char *peaks_fallback; /* why the eBPF source was not used when it was wanted (one
				     * word: "unbuilt", "denied", "unsupported", "failed"), or NULL */
	int sum_children;    /* -C */
	int each_child;      /* -M */
	pid_t pid;
} mp_dat_run_info;

/* Formats the META line (without newline) into `out`; returns its length. */
size_t mp_dat_format_meta(const mp_dat_run_info *info, char *out, size_t cap);

/* The default output name for a run started at epoch second `t`, local time:
 * "mprofile_YYYYMMDDhhmmss.dat". `buf` must hold MP_DAT_NAME_MAX bytes. */
#define MP_DAT_NAME_MAX 32
void mp_dat_default_name(char *buf, long long t);

/* 1 when `name` (a base name) has the exact form mprofile_<14 digits>.dat. */
int mp_dat_is_default_name(const char *name);

/* --- writing ------------------------------------------------------------------------------- */

#define MP_DAT_FLUSH_NS 50000000LL /* 50 ms */
#define MP_DAT_BUF 65536

typedef struct mp_dat {
	int fd;
	int err;           /* first write error, as -errno; 0 while all is well */
	off_t size;        /* bytes of whole lines in the file */
	size_t len;        /* bytes waiting in buf */
	long long oldest;  /* CLOCK_MONOTONIC ns when the oldest waiting line was added */
	char buf[MP_DAT_BUF];
} mp_dat;

/* Creates `path` for a new run. An existing regular file is replaced; a symlink or anything
 * else that is not a regular file is refused (-ELOOP, -EISDIR, -EEXIST). Nothing is created on
 * error. */
int mp_dat_create(mp_dat *w, const char *path);

/* Creates the default-named profile in the current directory for a run started at epoch second
 * `t`; when that name is taken, the next free second's. Writes the chosen name into `name`
 * (MP_DAT_NAME_MAX bytes). */
int mp_dat_create_default(mp_dat *w, long long t, char *name);

/* Flushes what is waiting and closes. Returns w->err, or the close error, or -ENOENT when
 * the file was removed (or its directory) before it was closed. */
int mp_dat_close(mp_dat *w);

/* Writes what is waiting now. Returns w->err. */
int mp_dat_flush(mp_dat *w);

/* Flushes when the oldest waiting line is MP_DAT_FLUSH_NS old at `now_ns` (CLOCK_MONOTONIC). */
void mp_dat_tick(mp_dat *w, long long now_ns);

/* When the buffer must next be flushed (CLOCK_MONOTONIC ns), or -1 when it is empty. */
long long mp_dat_deadline(const mp_dat *w);

/* One line each; memory in bytes, converted to MiB. */
void mp_dat_cmdline(mp_dat *w, char *const *argv);
void mp_dat_cmdline_text(mp_dat *w, const char *text);
void mp_dat_meta(mp_dat *w, const mp_dat_run_info *info);
void mp_dat_mem(mp_dat *w, long long bytes, const struct timespec *t);
/* PEAK: the highest memory of an interval. `since` NULL: `t` is when it was reached; else it
 * was reached at some time in [since, t]. */
void mp_dat_peak(mp_dat *w, long long bytes, const struct timespec *t,
		 const struct timespec *since);
void mp_dat_chld(mp_dat *w, pid_t pid, long long bytes, const struct timespec *t);
/* `pid` 0 leaves FUNC's optional 7th field out (the profiled program's own brackets). */
void mp_dat_func(mp_dat *w, const char *name, size_t name_len, long long m0,
		 const struct timespec *t0, long long m1, const struct timespec *t1, int level,
		 pid_t pid);
void mp_dat_gc(mp_dat *w, int gen, long long m0, const struct timespec *t0, long long m1,
	       const struct timespec *t1, long collected, long uncollectable, long candidates,
	       pid_t pid);
void mp_dat_mark(mp_dat *w, const char *name, size_t name_len, long long mem,
		 const struct timespec *t, pid_t pid);
void mp_dat_exit(mp_dat *w, int status, const struct timespec *t);

/* --- reading: the profile in memory --------------------------------------------------------- */

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
	int peaks;           /* 1: PEAK lines are being written (peaks=bpf, hwm or reset) */
	char peak_source[8]; /* "bpf", "hwm", "reset", "none"; "" unknown. Files written before
				the untouched source existed say "hwm" for what is now "reset" */
	char children[16];   /* "none", "sum", "each", "sum,each"; "" unknown */
	long pid;            /* 0 unknown */
	char version[16];    /* the writer's version; "" unknown */
} mp_meta;

typedef struct mp_profile {
	char *cmdline;          /* the last CMDLINE's text without its newline; NULL if none */
	mp_meta meta;

	mp_point *mem;          /* MEM samples, sorted by time */
	size_t nmem;
	mp_point *peaks;        /* PEAK lines, sorted by t: the time of the maximum when exact,
				   else the end of the interval that holds it */
	double *peak_since;     /* per PEAK, the earliest time its maximum may have been reached:
				   peaks[i].t when exact; from the line's third field, or (a file
				   without it, not peaks=bpf) the previous MEM sample's time */
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
	int torn;               /* the last line had no newline and was ignored (cut by a kill) */
	double t_first, t_last; /* the earliest and latest time in the file; 0 when it has none */
} mp_profile;

/* Where a read failed: `line` 0 when not at a line (opening or reading the file, or out of
 * memory), and what was wrong with it ("MEM: 'abc' is not a number"; "" for a system error,
 * whose text is mp_strerror of the code returned). */
typedef struct mp_dat_error {
	size_t line;
	int opening;   /* the failure was in opening the file */
	char what[256];
} mp_dat_error;

/* Reads the profile at `path` into `p` (which need not be initialised). Returns 0, and the
 * caller then owns `p` (mp_profile_release); or -errno (opening, reading), -ENOMEM or
 * MP_EMALFORMED, with `p` left empty and `e` (when not NULL) saying where. */
int mp_profile_read(mp_profile *p, const char *path, mp_dat_error *e);

/* The same over `len` bytes in memory. */
int mp_profile_parse(mp_profile *p, const char *data, size_t len, mp_dat_error *e);

/* Frees what `p` holds and leaves it empty. */
void mp_profile_release(mp_profile *p);

#endif
