/* dat_write.c - write a .dat profile: whole lines, flushed at least every 50 ms.
 *
 * Invariant: w->size is the file's length and always ends on a whole line; w->buf holds only
 * whole lines. A line that does not fit in what is left of the buffer flushes it first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dat.h"

#define LINE_MAX_LEN 4096

static long long mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void init(mp_dat *w, int fd)
{
	w->fd = fd;
	w->err = 0;
	w->size = 0;
	w->len = 0;
	w->oldest = 0;
}

static int open_new(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
}

int mp_dat_create(mp_dat *w, const char *path)
{
	int fd = open_new(path);
	if (fd < 0 && errno == EEXIST) {
		struct stat st;
		if (lstat(path, &st) < 0)
			return -errno;
		if (S_ISLNK(st.st_mode))
			return -ELOOP;
		if (S_ISDIR(st.st_mode))
			return -EISDIR;
		if (!S_ISREG(st.st_mode))
			return -EEXIST;
		/* A regular file from an earlier run: replaced, never appended to. */
		if (unlink(path) < 0)
			return -errno;
		fd = open_new(path);
	}
	if (fd < 0)
		return -errno;
	init(w, fd);
	return 0;
}

int mp_dat_create_default(mp_dat *w, long long t, char *name)
{
	for (int tries = 0; tries < 1000; tries++, t++) {
		mp_dat_default_name(name, t);
		int fd = open_new(name);
		if (fd >= 0) {
			init(w, fd);
			return 0;
		}
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* Writes the buffer; on failure cuts the file back to its last whole line. */
int mp_dat_flush(mp_dat *w)
{
	size_t done = 0;
	while (!w->err && done < w->len) {
		ssize_t n = write(w->fd, w->buf + done, w->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			w->err = n < 0 ? -errno : -EIO;
			/* Keep the whole lines that made it; cut the torn one. */
			size_t keep = done;
			while (keep && w->buf[keep - 1] != '\n')
				keep--;
			w->size += (off_t)keep;
			if (ftruncate(w->fd, w->size) == 0)
				lseek(w->fd, w->size, SEEK_SET);
			break;
		}
		done += (size_t)n;
	}
	if (!w->err)
		w->size += (off_t)w->len;
	w->len = 0;
	w->oldest = 0;
	return w->err;
}

int mp_dat_close(mp_dat *w)
{
	mp_dat_flush(w);
	int rc = w->err;
	/* Written but gone: the file (or its directory) was removed during the run. Every line
	 * went into a file nobody can open, which is no success. */
	struct stat st;
	if (!rc && w->fd >= 0 && fstat(w->fd, &st) == 0 && st.st_nlink == 0)
		rc = -ENOENT;
	if (w->fd >= 0 && close(w->fd) < 0 && !rc)
		rc = -errno;
	w->fd = -1;
	return rc;
}

void mp_dat_tick(mp_dat *w, long long now_ns)
{
	if (w->len && now_ns - w->oldest >= MP_DAT_FLUSH_NS)
		mp_dat_flush(w);
}

long long mp_dat_deadline(const mp_dat *w)
{
	return w->len ? w->oldest + MP_DAT_FLUSH_NS : -1;
}

/* Appends one formatted line (the format includes the newline). */
static void add(mp_dat *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(mp_dat *w, const char *fmt, ...)
{
	if (w->err)
		return;
	if (MP_DAT_BUF - w->len < LINE_MAX_LEN)
		mp_dat_flush(w);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(w->buf + w->len, LINE_MAX_LEN, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= LINE_MAX_LEN) { /* cut: keep it one line */
		n = LINE_MAX_LEN - 1;
		w->buf[w->len + (size_t)n - 1] = '\n';
	}
	if (!w->len)
		w->oldest = mono_ns();
	w->len += (size_t)n;
}

/* --- numbers without printf ---------------------------------------------------------------
 * A sample's line is built by hand: at 0.1 ms, "%f" was a tenth of mprof's time. The digits are
 * exactly printf's (and Python's, which memory_profiler uses): MiB is bytes / 2^20, exact in
 * binary, rounded to `places` decimals with ties to even, as glibc rounds an exact binary value
 * in the default rounding mode. test_dat checks the two against each other. */

/* Writes v's decimal digits at p; returns the end. */
static char *put_u(char *p, unsigned long long v)
{
	char tmp[24];
	int n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* Writes v as exactly `width` digits, zero-padded (v < 10^width). */
static char *put_fixed(char *p, unsigned long long v, int width)
{
	for (int i = width - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + width;
}

static char *put_s(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static const unsigned long long pow10_tab[] = {1, 10, 100, 1000, 10000, 100000, 1000000};

/* bytes as MiB with `places` (at most 6) decimals, "%.*f" of bytes / 1048576.0. */
static char *put_mib(char *p, long long bytes, int places)
{
	unsigned long long b = bytes < 0 ? 0ULL - (unsigned long long)bytes : (unsigned long long)bytes;
	if (bytes < 0)
		*p++ = '-'; /* printf keeps the sign of a value that rounds to zero: "-0.0000" */
	unsigned long long whole = b >> 20, scale = pow10_tab[places];
	unsigned long long num = (b & 0xfffffULL) * scale; /* < 2^40: the fraction, times 10^places */
	unsigned long long frac = num >> 20, rest = num & 0xfffffULL;
	if (rest > 0x80000ULL || (rest == 0x80000ULL && (frac & 1)))
		frac++;
	if (frac == scale) {
		frac = 0;
		whole++;
	}
	p = put_u(p, whole);
	*p++ = '.';
	return put_fixed(p, frac, places);
}

/* Times print as seconds with exactly 6 decimals, from the integer parts (a double would
 * round the microseconds of an epoch time). */
static char *put_ts(char *p, const struct timespec *t)
{
	long long sec = (long long)t->tv_sec;
	if (sec < 0)
		*p++ = '-';
	p = put_u(p, sec < 0 ? 0ULL - (unsigned long long)sec : (unsigned long long)sec);
	*p++ = '.';
	long us = t->tv_nsec / 1000;
	return put_fixed(p, (unsigned long long)(us < 0 ? 0 : us), 6);
}

/* Room for one hand-built line (whole lines only, as add()); returns where it goes, or NULL
 * after a write error. */
static char *line_start(mp_dat *w)
{
	if (w->err)
		return NULL;
	if (MP_DAT_BUF - w->len < LINE_MAX_LEN)
		mp_dat_flush(w);
	if (!w->len)
		w->oldest = mono_ns();
	return w->buf + w->len;
}

static void line_end(mp_dat *w, char *end)
{
	*end++ = '\n';
	w->len = (size_t)(end - w->buf);
}

#define TS_FMT "%s"
#define TS(t) ts_text((char[32]){0}, (t))

static const char *ts_text(char *buf, const struct timespec *t)
{
	*put_ts(buf, t) = 0;
	return buf;
}

void mp_dat_cmdline(mp_dat *w, char *const *argv)
{
	char text[LINE_MAX_LEN - 16];
	mp_dat_format_cmdline(argv, text, sizeof text);
	mp_dat_cmdline_text(w, text);
}

void mp_dat_cmdline_text(mp_dat *w, const char *text)
{
	char clean[LINE_MAX_LEN - 16];
	size_t i = 0;
	for (; text[i] && i + 1 < sizeof clean; i++)
		clean[i] = (text[i] == '\n' || text[i] == '\r') ? ' ' : text[i];
	clean[i] = 0;
	add(w, "CMDLINE %s\n", clean);
}

void mp_dat_meta(mp_dat *w, const mp_dat_run_info *info)
{
	char line[256];
	mp_dat_format_meta(info, line, sizeof line);
	add(w, "%s\n", line);
}

void mp_dat_mem(mp_dat *w, long long bytes, const struct timespec *t)
{
	char *p = line_start(w);
	if (!p)
		return;
	p = put_s(p, "MEM ");
	p = put_mib(p, bytes, 6);
	*p++ = ' ';
	line_end(w, put_ts(p, t));
}

void mp_dat_peak(mp_dat *w, long long bytes, const struct timespec *t,
		 const struct timespec *since)
{
	char *p = line_start(w);
	if (!p)
		return;
	p = put_s(p, "PEAK ");
	p = put_mib(p, bytes, 6);
	*p++ = ' ';
	p = put_ts(p, t);
	if (since) {
		*p++ = ' ';
		p = put_ts(p, since);
	}
	line_end(w, p);
}

void mp_dat_chld(mp_dat *w, pid_t pid, long long bytes, const struct timespec *t)
{
	char *p = line_start(w);
	if (!p)
		return;
	p = put_s(p, "CHLD ");
	if (pid < 0) {
		*p++ = '-';
		pid = -pid;
	}
	p = put_u(p, (unsigned long long)pid);
	*p++ = ' ';
	p = put_mib(p, bytes, 6);
	*p++ = ' ';
	line_end(w, put_ts(p, t));
}

/* A signed integer, as "%lld". */
static char *put_i(char *p, long long v)
{
	if (v < 0)
		*p++ = '-';
	return put_u(p, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v);
}

/* " MIB TIME", the memory and time pairs of FUNC, GC and MARK. */
static char *put_at(char *p, long long bytes, const struct timespec *t)
{
	*p++ = ' ';
	p = put_mib(p, bytes, 4);
	*p++ = ' ';
	return put_ts(p, t);
}

/* FUNC, GC and MARK lines are built by hand too: a program that brackets fast sends a
 * million a second, and each costs mprof its formatting. The encoded name takes at most
 * NAME_MAX_ENC bytes; the rest of a line is under 200. */
#define NAME_MAX_ENC 1600

void mp_dat_func(mp_dat *w, const char *name, size_t name_len, long long m0,
		 const struct timespec *t0, long long m1, const struct timespec *t1, int level,
		 pid_t pid)
{
	char *p = line_start(w);
	if (!p)
		return;
	p = put_s(p, "FUNC ");
	p += mp_dat_encode_name(name, name_len, p, NAME_MAX_ENC);
	p = put_at(p, m0, t0);
	p = put_at(p, m1, t1);
	*p++ = ' ';
	p = put_i(p, level);
	if (pid) {
		*p++ = ' ';
		p = put_i(p, pid);
	}
	line_end(w, p);
}

void mp_dat_gc(mp_dat *w, int gen, long long m0, const struct timespec *t0, long long m1,
	       const struct timespec *t1, long collected, long uncollectable, long candidates,
	       pid_t pid)
{
	char *p = line_start(w);
	if (!p)
		return;
	p = put_s(p, "GC ");
	p = put_i(p, gen);
	p = put_at(p, m0, t0);
	p = put_at(p, m1, t1);
	long long nums[] = {collected, uncollectable, candidates, pid};
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		*p++ = ' ';
		p = put_i(p, nums[i]);
	}
	line_end(w, p);
}

void mp_dat_mark(mp_dat *w, const char *name, size_t name_len, long long mem,
		 const struct timespec *t, pid_t pid)
{
	char *p = line_start(w);
	if (!p)
		return;
	p = put_s(p, "MARK ");
	p += mp_dat_encode_name(name, name_len, p, NAME_MAX_ENC);
	p = put_at(p, mem, t);
	*p++ = ' ';
	line_end(w, put_i(p, pid));
}

void mp_dat_exit(mp_dat *w, int status, const struct timespec *t)
{
	add(w, "EXIT %d " TS_FMT "\n", status, TS(t));
}
