/* test_proc.c - reading a process's memory from /proc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"

#define MIB (1024LL * 1024LL)

static void test_proc__backend_names(void **state)
{
	(void)state;
	mp_backend b;
	assert_int_equal(mp_backend_parse("rss", &b), 0);
	assert_int_equal(b, MP_BACKEND_RSS);
	assert_int_equal(mp_backend_parse("psutil", &b), 0);
	assert_int_equal(b, MP_BACKEND_RSS);
	assert_int_equal(mp_backend_parse("psutil_pss", &b), 0);
	assert_int_equal(b, MP_BACKEND_PSS);
	assert_int_equal(mp_backend_parse("uss", &b), 0);
	assert_int_equal(b, MP_BACKEND_USS);
	assert_int_equal(mp_backend_parse("posix", &b), MP_EBADNAME);
	assert_int_equal(mp_backend_parse("tracemalloc", &b), MP_EBADNAME);
	assert_string_equal(mp_backend_name(MP_BACKEND_PSS), "pss");
}

static void test_proc__rss_follows_touched_memory(void **state)
{
	(void)state;
	mp_proc p;
	long long before, after, peak;
	assert_int_equal(mp_proc_open(&p, getpid(), MP_BACKEND_RSS, MP_PEAKS_NONE), 0);
	assert_int_equal(mp_proc_sample(&p, &before, &peak), 0);
	assert_int_equal(peak, -1); /* peaks off */
	char *m = mmap(NULL, 32 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	memset(m, 1, 32 * MIB);
	assert_int_equal(mp_proc_sample(&p, &after, &peak), 0);
	assert_true(after - before >= 31 * MIB);
	munmap(m, 32 * MIB);
	mp_proc_release(&p);
}

static long long own_maxrss(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (long long)ru.ru_maxrss * 1024;
}

/* Touches `mib` MiB above the current high-water mark, then frees it. */
static void spike_above_hwm(size_t mib)
{
	size_t len = mib * MIB + (size_t)own_maxrss();
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	memset(m, 1, len);
	munmap(m, len);
}

static void test_proc__reset_peak_sees_what_was_freed_between_samples(void **state)
{
	(void)state;
	mp_proc p;
	long long mem, peak;
	assert_int_equal(mp_proc_open(&p, getpid(), MP_BACKEND_RSS, MP_PEAKS_RESET), 0);
	if (mp_proc_peaks(&p) != MP_PEAKS_RESET)
		skip(); /* clear_refs not writable here */
	assert_int_equal(mp_proc_sample(&p, &mem, &peak), 0);
	char *m = mmap(NULL, 48 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(m, 1, 48 * MIB);
	munmap(m, 48 * MIB);
	assert_int_equal(mp_proc_sample(&p, &mem, &peak), 0);
	assert_true(peak - mem >= 47 * MIB);
	/* The reading reset the peak: the next interval starts from now. */
	assert_int_equal(mp_proc_sample(&p, &mem, &peak), 0);
	assert_true(peak - mem < 8 * MIB);
	mp_proc_release(&p);
}

/* The price of MP_PEAKS_RESET, which is why it is only on request: the process's own
 * ru_maxrss drops. */
static void test_proc__reset_changes_the_process_own_maxrss(void **state)
{
	(void)state;
	mp_proc p;
	long long mem, peak;
	spike_above_hwm(32);
	long long before = own_maxrss();
	assert_int_equal(mp_proc_open(&p, getpid(), MP_BACKEND_RSS, MP_PEAKS_RESET), 0);
	if (mp_proc_peaks(&p) != MP_PEAKS_RESET)
		skip();
	assert_int_equal(mp_proc_sample(&p, &mem, &peak), 0);
	assert_true(own_maxrss() < before - 16 * MIB);
	mp_proc_release(&p);
}

static void test_proc__hwm_peak_leaves_the_process_untouched(void **state)
{
	(void)state;
	mp_proc p;
	long long mem, peak, first;
	assert_int_equal(mp_proc_open(&p, getpid(), MP_BACKEND_RSS, MP_PEAKS_HWM), 0);
	assert_int_equal(mp_proc_peaks(&p), MP_PEAKS_HWM);
	assert_int_equal(mp_proc_sample(&p, &mem, &first), 0);
	assert_true(first >= mem);
	spike_above_hwm(48);
	long long maxrss = own_maxrss();
	assert_int_equal(mp_proc_sample(&p, &mem, &peak), 0);
	assert_true(peak - mem >= 47 * MIB);
	assert_true(peak >= first + 47 * MIB);
	/* Nothing was reset: the all-time high stays, here and in the process's own figures. */
	for (int i = 0; i < 3; i++) {
		long long again;
		assert_int_equal(mp_proc_sample(&p, &mem, &again), 0);
		assert_true(again >= peak);
	}
	assert_true(own_maxrss() >= maxrss);
	assert_true(own_maxrss() >= peak - MIB);
	mp_proc_release(&p);
}

static void test_proc__reaped_children_seen_in_stat(void **state)
{
	(void)state;
	int go[2];
	assert_int_equal(pipe(go), 0);
	pid_t kid = fork();
	if (kid == 0) {
		char c;
		close(go[1]);
		(void)!read(go[0], &c, 1); /* wait for the word, then reap a child of its own */
		pid_t g = fork();
		if (g == 0)
			_exit(0);
		waitpid(g, NULL, 0);
		_exit(0);
	}
	close(go[0]);
	assert_int_equal(mp_proc_reaped_children(kid), 0);
	close(go[1]);
	siginfo_t si;
	assert_int_equal(waitid(P_PID, (id_t)kid, &si, WEXITED | WNOWAIT), 0);
	/* a zombie still tells */
	assert_int_equal(mp_proc_reaped_children(kid), 1);
	waitpid(kid, NULL, 0);
	assert_true(mp_proc_reaped_children(kid) < 0);
}

static void test_proc__pss_and_uss_backends_read(void **state)
{
	(void)state;
	mp_proc p;
	long long mem, peak;
	assert_int_equal(mp_proc_open(&p, getpid(), MP_BACKEND_PSS, MP_PEAKS_HWM), 0);
	assert_int_equal(mp_proc_peaks(&p), MP_PEAKS_NONE); /* peaks are rss only */
	assert_int_equal(mp_proc_sample(&p, &mem, &peak), 0);
	assert_true(mem > 0);
	mp_proc_release(&p);
	assert_int_equal(mp_proc_open(&p, getpid(), MP_BACKEND_USS, MP_PEAKS_NONE), 0);
	assert_int_equal(mp_proc_sample(&p, &mem, &peak), 0);
	assert_true(mem > 0);
	mp_proc_release(&p);
}

static void test_proc__children_and_exit(void **state)
{
	(void)state;
	int go[2];
	assert_int_equal(pipe(go), 0);
	pid_t kid = fork();
	if (kid == 0) {
		char c;
		close(go[1]);
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	close(go[0]);
	mp_proc self, child;
	assert_int_equal(mp_proc_open(&self, getpid(), MP_BACKEND_RSS, MP_PEAKS_NONE), 0);
	pid_t kids[16];
	size_t n = 0;
	assert_int_equal(mp_proc_children(&self, kids, 16, &n), 0);
	int found = 0;
	for (size_t i = 0; i < n; i++)
		found |= kids[i] == kid;
	assert_true(found);
	/* A held file pins the process: once reaped, reads fail. */
	assert_int_equal(mp_proc_open(&child, kid, MP_BACKEND_RSS, MP_PEAKS_HWM), 0);
	close(go[1]);
	waitpid(kid, NULL, 0);
	long long mem, peak;
	assert_true(mp_proc_sample(&child, &mem, &peak) < 0);
	mp_proc_release(&child);
	mp_proc_release(&self);
	assert_int_equal(mp_proc_open(&child, kid, MP_BACKEND_RSS, MP_PEAKS_NONE), -ESRCH);
}

static void test_proc__name_and_cmdline(void **state)
{
	(void)state;
	char name[64], cmd[256];
	assert_int_equal(mp_proc_name(getpid(), name, sizeof name), 0);
	assert_string_equal(name, "test_proc");
	ssize_t n = mp_proc_cmdline(getpid(), cmd, sizeof cmd);
	assert_true(n > 0);
	assert_non_null(strstr(cmd, "test_proc"));
}

static int count_self(pid_t pid, void *ctx)
{
	if (pid == getpid())
		++*(int *)ctx;
	return 0;
}

static void test_proc__each_visits_every_process(void **state)
{
	(void)state;
	int seen = 0;
	assert_int_equal(mp_proc_each(count_self, &seen), 0);
	assert_int_equal(seen, 1);
}

/* The children file of a process with 900 children is longer than one 4 KiB read. */
static void test_proc__nine_hundred_children_are_all_seen(void **state)
{
	(void)state;
	enum { KIDS = 900 };
	static pid_t kids[KIDS], seen[2 * KIDS];
	for (int i = 0; i < KIDS; i++) {
		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] == 0) {
			pause();
			_exit(0);
		}
	}
	mp_proc p;
	assert_int_equal(mp_proc_open(&p, getpid(), MP_BACKEND_RSS, 0), 0);
	size_t n = 0;
	int rc = mp_proc_children(&p, seen, 2 * KIDS, &n);
	for (int i = 0; i < KIDS; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < KIDS; i++)
		waitpid(kids[i], NULL, 0);
	mp_proc_release(&p);
	assert_int_equal(rc, 0);
	assert_int_equal(n, KIDS);
	for (int i = 0; i < KIDS; i++) {
		int found = 0;
		for (size_t k = 0; k < n && !found; k++)
			found = seen[k] == kids[i];
		assert_true(found);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc__backend_names),
		cmocka_unit_test(test_proc__rss_follows_touched_memory),
		cmocka_unit_test(test_proc__reset_peak_sees_what_was_freed_between_samples),
		cmocka_unit_test(test_proc__reset_changes_the_process_own_maxrss),
		cmocka_unit_test(test_proc__hwm_peak_leaves_the_process_untouched),
		cmocka_unit_test(test_proc__reaped_children_seen_in_stat),
		cmocka_unit_test(test_proc__pss_and_uss_backends_read),
		cmocka_unit_test(test_proc__children_and_exit),
		cmocka_unit_test(test_proc__nine_hundred_children_are_all_seen),
		cmocka_unit_test(test_proc__name_and_cmdline),
		cmocka_unit_test(test_proc__each_visits_every_process),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
