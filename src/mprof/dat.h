/* dat.h - writing a .dat profile (docs/dat-format.md) as the run goes.
 *
 * Lines collect in a buffer that goes to the file with one write() of whole lines, at the
 * latest MP_DAT_FLUSH_NS after the oldest of them was added: a profiler killed with SIGKILL
 * leaves a file of whole lines holding everything older than that. A write error (a full
 * disk) is kept in `err`; the file is cut back to its last whole line and later lines are
 * dropped, so the run itself goes on undisturbed.
 */
#ifndef MP_DAT_H
#define MP_DAT_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

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

/* Creates `path` for a new run and takes ownership of nothing else. An existing regular file
 * is replaced; a symlink or anything else that is not a regular file is refused (-EEXIST,
 * -ELOOP, -EISDIR). Returns 0 or -errno; nothing is created on error. */
int mp_dat_create(mp_dat *w, const char *path);

/* Creates the default-named profile "mprofile_YYYYMMDDhhmmss.dat" in the current directory
 * for a run started at epoch second `t`; when that name is taken, the next free second's.
 * Writes the chosen name into `name` (32 bytes). Returns 0 or -errno. */
int mp_dat_create_default(mp_dat *w, long long t, char *name);

/* Flushes what is waiting and closes. Returns w->err, or the close error. */
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
void mp_dat_line(mp_dat *w, const char *text); /* a whole line, without its newline */
void mp_dat_mem(mp_dat *w, long long bytes, const struct timespec *t);
void mp_dat_peak(mp_dat *w, long long bytes, const struct timespec *t);
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

/* Encodes `name` for a .dat field: space, '%' and bytes below 0x21 or 0x7f as %XX. Writes at
 * most `cap`-1 bytes and a NUL into `out`; returns the length written. */
size_t mp_dat_encode_name(const char *name, size_t len, char *out, size_t cap);

/* Formats the command line as memory_profiler does: arguments joined by spaces, one holding a
 * space or tab wrapped in single quotes. Returns the length (output cut to cap-1). */
size_t mp_dat_format_cmdline(char *const *argv, char *out, size_t cap);

#endif
