/* test_peak.c - choosing the peak source, and the eBPF source against what /proc says: it
 * agrees with statm, catches a spike freed between two readings with its time, follows forks
 * for a tree, and reads the program's memory at its exec. The eBPF tests need the source built
 * in and root (or CAP_BPF + CAP_PERFMON), as on CI; elsewhere they are skipped, saying so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "peak.h"
#include "proc.h"

#define MIB (1024LL * 1024LL)

static long long mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void test_peak__parse_names_every_mode(void **state)
{
	(void)state;
	int m;
	assert_int_equal(mp_peaks_parse("auto", &m), 0);
	assert_int_equal(m, MP_PEAKS_AUTO);
	assert_int_equal(mp_peaks_parse("bpf", &m), 0);
	assert_int_equal(m, MP_PEAKS_BPF);
	assert_int_equal(mp_peaks_parse("hwm", &m), 0);
	assert_int_equal(m, MP_PEAKS_HWM);
	assert_int_equal(mp_peaks_parse("reset", &m), 0);
	assert_int_equal(m, MP_PEAKS_RESET);
	assert_int_equal(mp_peaks_parse("none", &m), 0);
	assert_int_equal(m, MP_PEAKS_NONE);
	assert_int_equal(mp_peaks_parse("clear_refs", &m), MP_EBADNAME);
}

static void test_peak__open_chooses_what_can_be_had(void **state)
{
	(void)state;
	mp_peaks pk;
	assert_int_equal(mp_peaks_open(&pk, MP_PEAKS_AUTO, MP_BACKEND_PSS, 0, 0), 0);
	assert_int_equal(pk.source, MP_PEAKS_NONE); /* peaks are of resident memory */
	mp_peaks_release(&pk);
	assert_int_equal(mp_peaks_open(&pk, MP_PEAKS_HWM, MP_BACKEND_RSS, 0, 0), 0);
	assert_int_equal(pk.source, MP_PEAKS_HWM);
	mp_peaks_release(&pk);
	assert_int_equal(mp_peaks_open(&pk, MP_PEAKS_HWM, MP_BACKEND_RSS, 1, 0), 0);
	assert_int_equal(pk.source, MP_PEAKS_NONE); /* VmHWM is one process's */
	mp_peaks_release(&pk);
	assert_int_equal(mp_peaks_open(&pk, MP_PEAKS_RESET, MP_BACKEND_RSS, 0, 0), 0);
	assert_int_equal(pk.source, MP_PEAKS_RESET);
	mp_peaks_release(&pk);
	assert_int_equal(mp_peaks_open(&pk, MP_PEAKS_AUTO, MP_BACKEND_RSS, 0, 0), 0);
	assert_true(pk.source == MP_PEAKS_BPF || pk.source == MP_PEAKS_HWM);
	assert_true((pk.source == MP_PEAKS_BPF) == (pk.fallback == NULL));
	assert_true((pk.source == MP_PEAKS_BPF) == (pk.bpf != NULL));
	mp_peaks_release(&pk);
}

/* A child that obeys one-byte commands: 'k' keep 32 MiB more, 's' a 64 MiB spike freed at
 * once, 'f' fork a grandchild that holds 32 MiB for a moment, 'q' quit. It answers each. */
struct kid {
	pid_t pid;
	int cmd, ack;
};

static void kid_main(int cmd, int ack)
{
	char c;
	while (read(cmd, &c, 1) == 1 && c != 'q') {
		if (c == 'k' || c == 's') {
			size_t len = (size_t)(c == 'k' ? 32 : 64) * MIB;
			char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (m == MAP_FAILED)
				_exit(1);
			memset(m, 1, len);
			if (c == 's')
				munmap(m, len);
		} else if (c == 'f') {
			pid_t g = fork();
			if (g == 0) {
				char *m = mmap(NULL, 32 * MIB, PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
				memset(m, 1, 32 * MIB);
				_exit(0);
			}
			waitpid(g, NULL, 0);
		}
		(void)!write(ack, &c, 1);
	}
	_exit(0);
}

static void kid_start(struct kid *k)
{
	int c[2], a[2];
	assert_int_equal(pipe(c), 0);
	assert_int_equal(pipe(a), 0);
	k->pid = fork();
	assert_true(k->pid >= 0);
	if (k->pid == 0) {
		close(c[1]);
		close(a[0]);
		kid_main(c[0], a[1]);
	}
	close(c[0]);
	close(a[1]);
	k->cmd = c[1];
	k->ack = a[0];
}

static void kid_do(struct kid *k, char c)
{
	char r;
	assert_int_equal(write(k->cmd, &c, 1), 1);
	assert_int_equal(read(k->ack, &r, 1), 1);
}

static void kid_stop(struct kid *k)
{
	char c = 'q';
	(void)!write(k->cmd, &c, 1);
	waitpid(k->pid, NULL, 0);
	close(k->cmd);
	close(k->ack);
}

static long long statm(pid_t pid)
{
	mp_proc p;
	long long mem, peak;
	assert_int_equal(mp_proc_open(&p, pid, MP_BACKEND_RSS, MP_PEAKS_NONE), 0);
	assert_int_equal(mp_proc_sample(&p, &mem, &peak), 0);
	mp_proc_release(&p);
	return mem;
}

/* Opens the eBPF source, or skips the test where it cannot be had (saying why). */
static struct mp_peak_bpf *open_bpf(pid_t adopt, int follow)
{
	struct mp_peak_bpf *b = NULL;
	int rc = mp_peak_bpf_open(&b, adopt, follow);
	if (rc == -ENOTSUP || rc == -EPERM || rc == -EACCES) {
#ifdef GCLAB_HAVE_BPF
		if (geteuid() == 0)
			fail_msg("the eBPF source is built in but cannot load as root: %s",
				 strerror(-rc));
#endif
		fprintf(stderr, "skipped: the eBPF peak source is not available here (%s)\n",
			strerror(-rc));
		skip();
	}
	assert_int_equal(rc, 0);
	return b;
}

static void test_peak__bpf_agrees_with_statm(void **state)
{
	(void)state;
	struct mp_peak_bpf *b = open_bpf(0, 0);
	struct kid k;
	kid_start(&k);
	kid_do(&k, 'k'); /* something to start from */
	assert_int_equal(mp_peak_bpf_watch(b, k.pid, statm(k.pid), 1), 0);
	kid_do(&k, 'k');
	long long max, when, now = statm(k.pid);
	mp_peak_bpf_read(b, &max, &when);
	assert_true(when > 0);
	/* both read the same counters: a page or two apart at most */
	assert_true(max - now <= 8 * 4096 && now - max <= 8 * 4096);
	/* nothing happened since: no rise, and the same memory */
	mp_peak_bpf_read(b, &max, &when);
	assert_int_equal(when, -1);
	assert_true(max - now <= 8 * 4096 && now - max <= 8 * 4096);
	kid_stop(&k);
	mp_peak_bpf_free(b);
}

static void test_peak__bpf_catches_a_spike_freed_between_readings(void **state)
{
	(void)state;
	struct mp_peak_bpf *b = open_bpf(0, 0);
	struct kid k;
	kid_start(&k);
	assert_int_equal(mp_peak_bpf_watch(b, k.pid, statm(k.pid), 1), 0);
	long long max, when;
	mp_peak_bpf_read(b, &max, &when);
	long long base = statm(k.pid), t0 = mono_ns();
	kid_do(&k, 's');
	long long t1 = mono_ns();
	assert_true(statm(k.pid) < base + 16 * MIB); /* gone before we look (a sanitizer keeps its shadow) */
	mp_peak_bpf_read(b, &max, &when);
	assert_true(max >= base + 63 * MIB);
	assert_true(when >= t0 && when <= t1);
	kid_stop(&k);
	mp_peak_bpf_free(b);
}

static void test_peak__bpf_follows_forks_only_for_a_tree(void **state)
{
	(void)state;
	for (int follow = 0; follow <= 1; follow++) {
		struct mp_peak_bpf *b = open_bpf(0, follow);
		struct kid k;
		kid_start(&k);
		long long base = statm(k.pid);
		assert_int_equal(mp_peak_bpf_watch(b, k.pid, base, 1), 0);
		long long max, when;
		mp_peak_bpf_read(b, &max, &when);
		kid_do(&k, 'f');
		mp_peak_bpf_read(b, &max, &when);
		if (follow)
			assert_true(max >= base + 31 * MIB);
		else
			assert_true(max < base + 8 * MIB); /* the process's own, not its child's */
		assert_int_equal(mp_peak_bpf_lost(b), 0);
		kid_stop(&k);
		mp_peak_bpf_free(b);
	}
}

static void test_peak__bpf_reads_the_program_at_its_exec(void **state)
{
	(void)state;
	struct mp_peak_bpf *b = open_bpf(getpid(), 0);
	long long t0 = mono_ns(), rss, when;
	assert_int_equal(mp_peak_bpf_exec_sample(b, &rss, &when), -ENODATA);
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* long gone, and still the kernel's reading at its exec is there */
	assert_int_equal(mp_peak_bpf_exec_sample(b, &rss, &when), 0);
	assert_true(rss > 0 && rss < 64 * MIB);
	assert_true(when >= t0 && when <= mono_ns());
	long long max;
	mp_peak_bpf_read(b, &max, &when);
	assert_true(max >= rss);
	mp_peak_bpf_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peak__parse_names_every_mode),
		cmocka_unit_test(test_peak__open_chooses_what_can_be_had),
		cmocka_unit_test(test_peak__bpf_agrees_with_statm),
		cmocka_unit_test(test_peak__bpf_catches_a_spike_freed_between_readings),
		cmocka_unit_test(test_peak__bpf_follows_forks_only_for_a_tree),
		cmocka_unit_test(test_peak__bpf_reads_the_program_at_its_exec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
