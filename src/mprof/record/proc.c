/* proc.c - read a process's memory from files under /proc/PID held open.
 *
 * Nothing here writes to the process, except for MP_PEAKS_RESET (asked for by name): the peak
 * comes from VmHWM (status), left untouched (MP_PEAKS_HWM: the all-time high), or reset after
 * each reading by writing "5" to clear_refs (MP_PEAKS_RESET: the high since the last reading,
 * at the price of the program's own ru_maxrss and VmHWM). Reading status costs about 6 us
 * against 1 us for statm, so it is read only when the process has run on a CPU since the
 * previous reading (schedstat's run time moved): a process that did not run cannot have
 * touched a page. schedstat is per thread, so a multi-threaded process is read every time.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

static long page_size(void)
{
	static long ps;
	if (!ps) {
		ps = sysconf(_SC_PAGESIZE);
		if (ps <= 0)
			ps = 4096;
	}
	return ps;
}

static int open_at(pid_t pid, const char *file, int flags)
{
	char path[128];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	return open(path, flags | O_CLOEXEC | O_NOFOLLOW);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Reads a whole small /proc file with one pread. Returns its length, or -errno. */
static ssize_t read_all(int fd, char *buf, size_t len)
{
	ssize_t n;
	do
		n = pread(fd, buf, len - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return n;
}

int mp_proc_open(mp_proc *p, pid_t pid, mp_backend backend, mp_peak_source peaks)
{
	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->backend = backend;
	p->peaks = MP_PEAKS_NONE;
	p->schedstat_fd = p->status_fd = p->clear_fd = p->children_fd = -1;
	p->mem_fd = open_at(pid, backend == MP_BACKEND_RSS ? "statm" : "smaps_rollup", O_RDONLY);
	if (p->mem_fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	char path[64];
	snprintf(path, sizeof path, "task/%d/children", (int)pid);
	p->children_fd = open_at(pid, path, O_RDONLY);
	if ((peaks != MP_PEAKS_HWM && peaks != MP_PEAKS_RESET) || backend != MP_BACKEND_RSS)
		return 0;
	if (peaks == MP_PEAKS_RESET && (p->clear_fd = open_at(pid, "clear_refs", O_WRONLY)) < 0)
		return 0;
	p->schedstat_fd = open_at(pid, "schedstat", O_RDONLY);
	p->status_fd = open_at(pid, "status", O_RDONLY);
	if (p->schedstat_fd < 0 || p->status_fd < 0) {
		close_fd(&p->schedstat_fd);
		close_fd(&p->status_fd);
		close_fd(&p->clear_fd);
		return 0;
	}
	p->peaks = peaks;
	return 0;
}

void mp_proc_release(mp_proc *p)
{
	close_fd(&p->mem_fd);
	close_fd(&p->schedstat_fd);
	close_fd(&p->status_fd);
	close_fd(&p->clear_fd);
	close_fd(&p->children_fd);
}

mp_peak_source mp_proc_peaks(const mp_proc *p)
{
	return p->peaks;
}

/* The value in kB of the line starting with `key` in a "Key:   123 kB" file, or -1. */
static long long kb_field(const char *text, const char *key)
{
	size_t klen = strlen(key);
	for (const char *s = text; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL) {
		if (strncmp(s, key, klen))
			continue;
		s += klen;
		while (*s == ' ' || *s == '\t')
			s++;
		long long v = 0;
		if (*s < '0' || *s > '9')
			return -1;
		for (; *s >= '0' && *s <= '9'; s++)
			v = v * 10 + (*s - '0');
		return v;
	}
	return -1;
}

static int read_mem(mp_proc *p, long long *mem)
{
	char buf[1024];
	ssize_t n = read_all(p->mem_fd, buf, sizeof buf);
	if (n < 0)
		return (int)n;
	if (p->backend == MP_BACKEND_RSS) {
		/* "size resident shared text lib data dt", in pages */
		const char *s = strchr(buf, ' ');
		if (!s)
			return -ESRCH; /* a zombie reads empty */
		*mem = strtoll(s + 1, NULL, 10) * page_size();
		return 0;
	}
	long long v;
	if (p->backend == MP_BACKEND_PSS) {
		v = kb_field(buf, "Pss:");
	} else {
		long long c = kb_field(buf, "Private_Clean:"), d = kb_field(buf, "Private_Dirty:");
		v = c < 0 || d < 0 ? -1 : c + d;
	}
	if (v < 0)
		return n == 0 ? -ESRCH : -EINVAL;
	*mem = v * 1024;
	return 0;
}

/* Run time of the main thread in ns (schedstat's first field). */
static int read_runtime(mp_proc *p, unsigned long long *out)
{
	char buf[128];
	ssize_t n = read_all(p->schedstat_fd, buf, sizeof buf);
	if (n < 0)
		return (int)n;
	*out = strtoull(buf, NULL, 10);
	return 0;
}

static int read_peak(mp_proc *p, long long mem, long long *peak)
{
	unsigned long long runtime = 0;
	int rc = read_runtime(p, &runtime);
	if (rc < 0)
		return rc;
	if (p->peak_read && runtime == p->runtime && p->threads <= 1) {
		/* did not run: nothing can have changed */
		*peak = p->peaks == MP_PEAKS_HWM ? p->hwm : mem;
		return 0;
	}
	char buf[4096];
	ssize_t n = read_all(p->status_fd, buf, sizeof buf);
	if (n < 0)
		return (int)n;
	long long hwm = kb_field(buf, "VmHWM:"), threads = kb_field(buf, "Threads:");
	if (hwm < 0)
		return -ESRCH; /* a zombie has no VmHWM */
	hwm *= 1024;
	p->threads = threads > 0 ? (int)threads : 1;
	p->runtime = runtime;
	p->peak_read = 1;
	if (p->peaks == MP_PEAKS_HWM) {
		p->hwm = hwm;
		*peak = hwm;
		return 0;
	}
	if (hwm > mem) {
		/* Start the next interval's peak from now. */
		while (pwrite(p->clear_fd, "5", 1, 0) < 0 && errno == EINTR)
			;
	}
	*peak = hwm > mem ? hwm : mem;
	return 0;
}

int mp_proc_sample(mp_proc *p, long long *mem, long long *peak)
{
	int rc = read_mem(p, mem);
	*peak = -1;
	if (rc < 0)
		return rc;
	if (p->peaks != MP_PEAKS_NONE)
		return read_peak(p, *mem, peak);
	return 0;
}

/* Reads the first `n` fields after the command in /proc/PID/stat ("pid (comm) state ppid pgrp
 * session tty tpgid flags minflt cminflt majflt cmajflt ...", from the last ')' since comm may
 * hold spaces and parentheses) into f[0..n), state (a letter) reading as 0. Returns 0 or -errno. */
static int stat_fields(pid_t pid, unsigned long long *f, int n)
{
	char buf[1024];
	int fd = open_at(pid, "stat", O_RDONLY);
	if (fd < 0)
		return -errno;
	ssize_t len = read_all(fd, buf, sizeof buf);
	close(fd);
	if (len < 0)
		return (int)len;
	const char *s = strrchr(buf, ')');
	if (!s)
		return -EINVAL;
	s++;
	for (int i = 0; i < n; i++) {
		while (*s == ' ')
			s++;
		if (!*s)
			return -EINVAL;
		char *end;
		f[i] = strtoull(s, &end, 10);
		s = end;
		while (*s && *s != ' ')
			s++;
	}
	return 0;
}

int mp_proc_reaped_children(pid_t pid)
{
	unsigned long long f[11];
	int rc = stat_fields(pid, f, 11);
	if (rc < 0)
		return rc;
	/* after ')': state(0) ppid pgrp session tty tpgid flags minflt(7) cminflt(8) majflt
	 * cmajflt(10) */
	return f[8] || f[10] ? 1 : 0;
}

/* Reads a children file whole, however long (one 4 KiB read holds only about 680 pids), in
 * chunks at increasing offsets, a pid cut between two chunks carried over; appends the pids. */
static int read_children(int fd, pid_t *out, size_t cap, size_t *n)
{
	char buf[4096];
	off_t off = 0;
	long v = -1; /* the pid being read, -1 between pids */
	for (;;) {
		ssize_t got = pread(fd, buf, sizeof buf, off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		for (ssize_t i = 0; i <= got; i++) {
			char c = i < got ? buf[i] : ' ';
			if (c >= '0' && c <= '9') {
				v = (v < 0 ? 0 : v) * 10 + (c - '0');
				if (v > 0x7fffffffL)
					return -EINVAL;
				continue;
			}
			if (v < 0 || (i == got && got > 0))
				continue; /* between pids, or a pid that may go on in the next chunk */
			if (v == 0)
				return -EINVAL;
			if (*n == cap)
				return -ENOSPC;
			out[(*n)++] = (pid_t)v;
			v = -1;
		}
		if (got == 0)
			return 0;
		off += got;
	}
}

int mp_proc_children(mp_proc *p, pid_t *out, size_t cap, size_t *n)
{
	if (p->children_fd < 0)
		return -ENOENT;
	int rc = read_children(p->children_fd, out, cap, n);
	if (rc < 0 || p->threads <= 1)
		return rc;
	/* Other threads may have forked too: read each one's children. */
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", (int)p->pid);
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		long tid = strtol(e->d_name, NULL, 10);
		if (tid <= 0 || tid == p->pid)
			continue;
		char file[96];
		snprintf(file, sizeof file, "/proc/%d/task/%ld/children", (int)p->pid, tid);
		int fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue; /* the thread ended */
		rc = read_children(fd, out, cap, n);
		close(fd);
		if (rc == -ESRCH)
			rc = 0; /* the thread ended as we read */
	}
	closedir(d);
	return rc;
}

int mp_proc_is_kernel_thread(pid_t pid)
{
	unsigned long long f[7]; /* state ppid pgrp session tty tpgid flags */
	int rc = stat_fields(pid, f, 7);
	if (rc < 0)
		return rc;
	return (f[6] & 0x00200000ULL) != 0; /* PF_KTHREAD */
}

ssize_t mp_proc_cmdline(pid_t pid, char *buf, size_t len)
{
	int fd = open_at(pid, "cmdline", O_RDONLY);
	if (fd < 0)
		return -errno;
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	return (ssize_t)got;
}

int mp_proc_name(pid_t pid, char *buf, size_t len)
{
	char stat[512];
	int fd = open_at(pid, "stat", O_RDONLY);
	if (fd < 0)
		return -errno;
	ssize_t n = read_all(fd, stat, sizeof stat);
	close(fd);
	if (n < 0)
		return (int)n;
	/* "pid (comm) state ...": comm may itself hold ')' */
	char *open_paren = strchr(stat, '('), *close_paren = strrchr(stat, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return -EINVAL;
	size_t clen = (size_t)(close_paren - open_paren - 1);
	if (clen >= len)
		clen = len - 1;
	memcpy(buf, open_paren + 1, clen);
	buf[clen] = 0;
	if (clen >= 15) {
		char cmd[4096];
		ssize_t c = mp_proc_cmdline(pid, cmd, sizeof cmd - 1);
		if (c > 0) {
			cmd[c] = 0;
			const char *base = strrchr(cmd, '/');
			base = base ? base + 1 : cmd;
			if (!strncmp(base, buf, clen) && strlen(base) < len)
				strcpy(buf, base);
		}
	}
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

int mp_proc_each(int (*fn)(pid_t pid, void *ctx), void *ctx)
{
	DIR *d = opendir("/proc");
	if (!d)
		return -errno;
	pid_t *pids = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d))) {
		char *end;
		long v = strtol(e->d_name, &end, 10);
		if (*end || v <= 0)
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			pid_t *np = realloc(pids, ncap * sizeof *np);
			if (!np) {
				rc = -ENOMEM;
				break;
			}
			pids = np;
			cap = ncap;
		}
		pids[n++] = (pid_t)v;
	}
	closedir(d);
	if (rc == 0) {
		qsort(pids, n, sizeof *pids, cmp_pid);
		for (size_t i = 0; i < n && !rc; i++)
			rc = fn(pids[i], ctx);
	}
	free(pids);
	return rc;
}
