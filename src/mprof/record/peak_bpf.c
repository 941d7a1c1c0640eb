/* peak_bpf.c - mprof's side of the eBPF peak source: load peak.bpf.c (embedded in the
 * skeleton), name the processes it watches, read and reset its maximum once an interval.
 *
 * The program's state is in its .bss, mmapped here: reading is a few loads, resetting one
 * atomic exchange; no system call per sample. libbpf's messages are silenced (a library never
 * prints): libbpf_set_print is process-wide, which mprof, its only user, accepts.
 * Built only when CMake found libbpf, bpftool and clang (GCLAB_HAVE_BPF); peak.c stands in
 * otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "peak.h"
#include "peak_shared.h"
#include "peak.skel.h"
#include "mprof/trace.h"

_Static_assert(MP_RSS_SLOTS == MPROF_TRACE_RSS_SLOTS &&
		       MP_RSS_PID_SHIFT == MPROF_TRACE_RSS_PID_SHIFT,
	       "the kernel's rss words are laid out as trace.h says");

struct mp_peak_bpf {
	struct mp_peak_skel *skel;
	long page;
	long long reset_ns; /* when max was last reset: a later max_ns means it rose since */
};

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static long long mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int mp_peak_bpf_open(struct mp_peak_bpf **out, pid_t adopt_parent, int follow)
{
	*out = NULL;
	if (access("/sys/kernel/btf/vmlinux", R_OK) < 0)
		return -ENOTSUP; /* no BTF: CO-RE and tp_btf cannot work */
	struct mp_peak_bpf *b = calloc(1, sizeof *b);
	if (!b)
		return -ENOMEM;
	b->page = sysconf(_SC_PAGESIZE);
	if (b->page <= 0)
		b->page = 4096;
	libbpf_set_print(quiet);
	int rc;
	b->skel = mp_peak_skel__open();
	if (!b->skel) {
		rc = errno ? -errno : -ENOMEM;
		goto fail;
	}
	b->skel->rodata->adopt_parent = (__u32)adopt_parent;
	b->skel->rodata->follow = follow ? 1 : 0;
	int ncpu = libbpf_num_possible_cpus();
	b->skel->rodata->nr_cpus = ncpu > 0 ? (__u32)ncpu : 1;
	if ((rc = mp_peak_skel__load(b->skel)) < 0)
		goto fail_skel;
	if ((rc = mp_peak_skel__attach(b->skel)) < 0)
		goto fail_skel;
	b->reset_ns = mono_ns();
	b->skel->bss->max_ns = (__u64)b->reset_ns;
	*out = b;
	return 0;
fail_skel:
	mp_peak_skel__destroy(b->skel);
fail:
	free(b);
	return rc < 0 ? rc : -EINVAL;
}

void mp_peak_bpf_free(struct mp_peak_bpf *b)
{
	if (!b)
		return;
	mp_peak_skel__destroy(b->skel);
	free(b);
}

int mp_peak_bpf_watch(struct mp_peak_bpf *b, pid_t pid, long long rss, int root)
{
	struct mp_peak_member m = {0};
	__u32 key = (__u32)pid;
	long long pages = rss / b->page;
	m.flags = MP_PEAK_COUNTED | (root ? MP_PEAK_ROOT : 0);
	m.rss = pages;
	if (bpf_map__update_elem(b->skel->maps.members, &key, sizeof key, &m, sizeof m,
				 BPF_NOEXIST) < 0)
		return errno == EEXIST ? 0 : -errno; /* already followed from its fork */
	/* An event between the insert and this add exchanged `rss` and added only the change. */
	__atomic_add_fetch(&b->skel->bss->total, pages, __ATOMIC_SEQ_CST);
	long long t = __atomic_load_n(&b->skel->bss->total, __ATOMIC_SEQ_CST);
	long long cur = __atomic_load_n(&b->skel->bss->max, __ATOMIC_SEQ_CST);
	while (t > cur && !__atomic_compare_exchange_n(&b->skel->bss->max, &cur, t, 0,
						       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
	return 0;
}

void mp_peak_bpf_read(struct mp_peak_bpf *b, long long *max, long long *when_ns)
{
	struct mp_peak_skel__bss *s = b->skel->bss;
	long long now = mono_ns();
	long long when = (long long)__atomic_load_n(&s->max_ns, __ATOMIC_SEQ_CST);
	long long t = __atomic_load_n(&s->total, __ATOMIC_SEQ_CST);
	/* The next interval starts from the group's memory now. A raise that lands between the
	 * loads and the exchange stamps its time after the first load: take the later stamp. */
	long long m = __atomic_exchange_n(&s->max, t, __ATOMIC_SEQ_CST);
	long long when2 = (long long)__atomic_load_n(&s->max_ns, __ATOMIC_SEQ_CST);
	if (when2 > when)
		when = when2;
	__atomic_store_n(&s->max_ns, (__u64)now, __ATOMIC_SEQ_CST);
	*max = m * b->page;
	*when_ns = when <= b->reset_ns ? -1 : when > now ? now : when;
	b->reset_ns = now;
}

int mp_peak_bpf_exec_sample(struct mp_peak_bpf *b, long long *rss, long long *when_ns)
{
	long long r = __atomic_load_n(&b->skel->data->exec_rss, __ATOMIC_SEQ_CST);
	if (r < 0)
		return -ENODATA;
	*rss = r * b->page;
	*when_ns = (long long)__atomic_load_n(&b->skel->bss->exec_ns, __ATOMIC_SEQ_CST);
	return 0;
}

unsigned long long mp_peak_bpf_lost(const struct mp_peak_bpf *b)
{
	return __atomic_load_n(&b->skel->bss->lost, __ATOMIC_SEQ_CST);
}

int mp_peak_bpf_rss_fd(struct mp_peak_bpf *b)
{
	/* A read-only fd cannot be mapped shared (mmap drops VM_SHARED), and a bpf map wants
	 * VM_SHARED: the program gets a read-write fd of the map frozen, which the kernel then
	 * refuses to update or map writable from user space; the eBPF program alone writes it. */
	int fd = bpf_map__fd(b->skel->maps.rss_now);
	if (fd < 0)
		return -EBADF;
	if (bpf_map_freeze(fd) < 0 && errno != EBUSY)
		return -errno;
	int mine = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	return mine < 0 ? -errno : mine;
}
