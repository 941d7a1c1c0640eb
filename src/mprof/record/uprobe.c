/* uprobe.c - mprof's side of uprobe brackets (uprobe.h): load bpf/uprobe.bpf.c (embedded in its
 * skeleton), attach it to each function, and forward each finished call from the ring buffer
 * to the trace channel as an F event, from a thread of its own.
 *
 * Invariants: the thread is the only writer of chan_fd and closes it when it stops; it sends
 * with one send() per event (atomic on the channel, as any emitter). Until the flush it waits
 * for room like any emitter; from the flush on it never waits (the session, joining it, is not
 * draining) and counts what finds no room. libbpf's messages are silenced (peak_bpf.c does the same).
 */
#include <errno.h>
#include <unistd.h>

#include "uprobe.h"

#ifdef GCLAB_HAVE_BPF
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "mprof/trace.h"
#include "uprobe.h"
#include "uprobe_shared.h"
#include "uprobe.skel.h"

struct mp_uprobes {
	struct mp_uprobe_skel *skel;
	struct bpf_link **links;
	int nlinks;
	char **names;
	int n;
	struct ring_buffer *rb;
	int chan_fd;
	long long min_ns;          /* shorter calls are not sent */
	long long real_minus_mono; /* ns */
	long page;
	pthread_t thread;
	int running;
	int stop;      /* atomic: the thread forwards what is left and ends */
	int final;     /* atomic: sends no longer wait */
	unsigned long long unsent;
};

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static long long ns_of(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static char *put_time(char *p, long long ns)
{
	return p + sprintf(p, "%lld.%06lld", ns / 1000000000LL, ns % 1000000000LL / 1000);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct mp_uprobes *u = ctx;
	const struct mp_uprobe_event *e = data;
	if (size < sizeof *e || e->fn >= (unsigned)u->n || (long long)(e->t1 - e->t0) < u->min_ns)
		return 0;
	char buf[MPROF_TRACE_EVENT_MAX];
	char *p = buf + sprintf(buf, "F %u %u ", e->tgid, e->level);
	p = put_time(p, (long long)e->t0 + u->real_minus_mono);
	p += sprintf(p, " %lld ", e->rss0 < 0 ? -1LL : e->rss0 * u->page);
	p = put_time(p, (long long)e->t1 + u->real_minus_mono);
	p += sprintf(p, " %lld ", e->rss1 < 0 ? -1LL : e->rss1 * u->page);
	size_t room = (size_t)(buf + sizeof buf - 1 - p);
	size_t len = strlen(u->names[e->fn]);
	if (len > room)
		len = room;
	memcpy(p, u->names[e->fn], len);
	p += len;
	*p++ = '\n';
	/* A full channel is waited for (the session drains it) until the flush: the session is
	 * then waiting for this thread, and draining nothing. */
	while (send(u->chan_fd, buf, (size_t)(p - buf), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		if (errno == EINTR)
			continue;
		if ((errno == EAGAIN || errno == EWOULDBLOCK) &&
		    !__atomic_load_n(&u->final, __ATOMIC_ACQUIRE)) {
			struct pollfd pf = {.fd = u->chan_fd, .events = POLLOUT};
			poll(&pf, 1, 10);
			continue;
		}
		u->unsent++;
		break;
	}
	return 0;
}

static void *forward(void *arg)
{
	struct mp_uprobes *u = arg;
	while (!__atomic_load_n(&u->stop, __ATOMIC_ACQUIRE))
		ring_buffer__poll(u->rb, 20);
	ring_buffer__consume(u->rb);
	close(u->chan_fd);
	u->chan_fd = -1;
	return NULL;
}

int mp_uprobes_open(struct mp_uprobes **out, const mp_func_site *sites, int n, long long min_ns,
		    int chan_fd)
{
	*out = NULL;
	if (access("/sys/kernel/btf/vmlinux", R_OK) < 0) {
		close(chan_fd);
		return -ENOTSUP;
	}
	struct mp_uprobes *u = calloc(1, sizeof *u);
	int rc = -ENOMEM;
	if (!u)
		goto fail_fd;
	u->chan_fd = chan_fd;
	u->min_ns = min_ns;
	u->page = sysconf(_SC_PAGESIZE);
	if (u->page <= 0)
		u->page = 4096;
	u->real_minus_mono = ns_of(CLOCK_REALTIME) - ns_of(CLOCK_MONOTONIC);
	if (!(u->names = calloc((size_t)n, sizeof *u->names)) ||
	    !(u->links = calloc((size_t)n * 2 + 1, sizeof *u->links)))
		goto fail;
	u->n = n;
	for (int i = 0; i < n; i++)
		if (!(u->names[i] = strdup(sites[i].name)))
			goto fail;
	libbpf_set_print(quiet);
	if (!(u->skel = mp_uprobe_skel__open())) {
		rc = errno ? -errno : -ENOMEM;
		goto fail;
	}
	u->skel->rodata->parent_tgid = (__u32)getpid();
	int ncpu = libbpf_num_possible_cpus(); /* the per-CPU parts of the counters (rss.bpf.h) */
	u->skel->rodata->nr_cpus = ncpu > 0 ? (__u32)ncpu : 1;
	if ((rc = mp_uprobe_skel__load(u->skel)) < 0)
		goto fail;
	if (!(u->links[u->nlinks++] = bpf_program__attach(u->skel->progs.on_exec))) {
		rc = errno ? -errno : -EINVAL;
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		for (int ret = 0; ret < 2; ret++) {
			LIBBPF_OPTS(bpf_uprobe_opts, o, .bpf_cookie = (__u64)i, .retprobe = ret);
			struct bpf_program *prog = ret ? u->skel->progs.on_return
						       : u->skel->progs.on_entry;
			struct bpf_link *l = bpf_program__attach_uprobe_opts(
				prog, -1, sites[i].path, (size_t)sites[i].offset, &o);
			if (!l) {
				rc = errno ? -errno : -EINVAL;
				goto fail;
			}
			u->links[u->nlinks++] = l;
		}
	}
	u->rb = ring_buffer__new(bpf_map__fd(u->skel->maps.events), on_event, u, NULL);
	if (!u->rb) {
		rc = errno ? -errno : -ENOMEM;
		goto fail;
	}
	*out = u;
	return 0;
fail:
	mp_uprobes_free(u);
	return rc < 0 ? rc : -EINVAL;
fail_fd:
	close(chan_fd);
	return rc;
}

int mp_uprobes_start(struct mp_uprobes *u, pid_t pid)
{
	/* The exec already named it (on_exec); should that have been missed, name it now. */
	__u32 none = 0;
	__atomic_compare_exchange_n(&u->skel->bss->target_tgid, &none, (__u32)pid, 0,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	int rc = pthread_create(&u->thread, NULL, forward, u);
	if (rc)
		return -rc;
	u->running = 1;
	return 0;
}

void mp_uprobes_flush(void *arg)
{
	struct mp_uprobes *u = arg;
	if (!u->running)
		return;
	__atomic_store_n(&u->final, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&u->stop, 1, __ATOMIC_RELEASE);
	pthread_join(u->thread, NULL);
	u->running = 0;
}

void mp_uprobes_counts(const struct mp_uprobes *u, unsigned long long *dropped,
		       unsigned long long *gone)
{
	*dropped = u->unsent + __atomic_load_n(&u->skel->bss->dropped, __ATOMIC_RELAXED);
	*gone = __atomic_load_n(&u->skel->bss->gone, __ATOMIC_RELAXED);
}

void mp_uprobes_free(struct mp_uprobes *u)
{
	if (!u)
		return;
	mp_uprobes_flush(u);
	ring_buffer__free(u->rb);
	for (int i = 0; i < u->nlinks; i++)
		bpf_link__destroy(u->links[i]);
	mp_uprobe_skel__destroy(u->skel);
	if (u->chan_fd >= 0)
		close(u->chan_fd);
	for (int i = 0; i < u->n; i++)
		free(u->names[i]);
	free(u->names);
	free(u->links);
	free(u);
}

#else /* built without eBPF: nothing to load */
int mp_uprobes_open(struct mp_uprobes **out, const mp_func_site *sites, int n, long long min_ns,
		    int chan_fd)
{
	*out = NULL;
	close(chan_fd);
	return -ENOTSUP;
}

int mp_uprobes_start(struct mp_uprobes *u, pid_t pid)
{
	return -ENOTSUP;
}

void mp_uprobes_flush(void *u)
{
}

void mp_uprobes_counts(const struct mp_uprobes *u, unsigned long long *dropped,
		       unsigned long long *gone)
{
	*dropped = *gone = 0;
}

void mp_uprobes_free(struct mp_uprobes *u)
{
}
#endif
