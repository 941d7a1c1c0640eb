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

static double mib(long long bytes)
{
	return (double)bytes / 1048576.0;
}

/* Times print as seconds with exactly 6 decimals, from the integer parts (a double would
 * round the microseconds of an epoch time). */
#define TS_FMT "%lld.%06ld"
#define TS(t) (long long)(t)->tv_sec, (long)((t)->tv_nsec / 1000)

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
	add(w, "MEM %.6f " TS_FMT "\n", mib(bytes), TS(t));
}

void mp_dat_peak(mp_dat *w, long long bytes, const struct timespec *t,
		 const struct timespec *since)
{
	if (since)
		add(w, "PEAK %.6f " TS_FMT " " TS_FMT "\n", mib(bytes), TS(t), TS(since));
	else
		add(w, "PEAK %.6f " TS_FMT "\n", mib(bytes), TS(t));
}

void mp_dat_chld(mp_dat *w, pid_t pid, long long bytes, const struct timespec *t)
{
	add(w, "CHLD %d %.6f " TS_FMT "\n", (int)pid, mib(bytes), TS(t));
}

void mp_dat_func(mp_dat *w, const char *name, size_t name_len, long long m0,
		 const struct timespec *t0, long long m1, const struct timespec *t1, int level,
		 pid_t pid)
{
	char enc[1600];
	mp_dat_encode_name(name, name_len, enc, sizeof enc);
	if (pid)
		add(w, "FUNC %s %.4f " TS_FMT " %.4f " TS_FMT " %d %d\n", enc, mib(m0), TS(t0),
		    mib(m1), TS(t1), level, (int)pid);
	else
		add(w, "FUNC %s %.4f " TS_FMT " %.4f " TS_FMT " %d\n", enc, mib(m0), TS(t0),
		    mib(m1), TS(t1), level);
}

void mp_dat_gc(mp_dat *w, int gen, long long m0, const struct timespec *t0, long long m1,
	       const struct timespec *t1, long collected, long uncollectable, long candidates,
	       pid_t pid)
{
	add(w, "GC %d %.4f " TS_FMT " %.4f " TS_FMT " %ld %ld %ld %d\n", gen, mib(m0), TS(t0),
	    mib(m1), TS(t1), collected, uncollectable, candidates, (int)pid);
}

void mp_dat_mark(mp_dat *w, const char *name, size_t name_len, long long mem,
		 const struct timespec *t, pid_t pid)
{
	char enc[1600];
	mp_dat_encode_name(name, name_len, enc, sizeof enc);
	add(w, "MARK %s %.4f " TS_FMT " %d\n", enc, mib(mem), TS(t), (int)pid);
}

void mp_dat_exit(mp_dat *w, int status, const struct timespec *t)
{
	add(w, "EXIT %d " TS_FMT "\n", status, TS(t));
}
